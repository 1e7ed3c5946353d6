#pragma once
// A small dense least-squares solve for the AR fit: a few columns, up to a few thousand rows.
#include <cstddef>
#include <vector>

namespace penumbra::predict {

/// The x minimising |A x - b|_2, for A of `rows` x `cols` (row-major, rows >= cols >= 1), by Householder
/// QR: more stable than the normal equations (which square the condition number; an AR fit on a smooth
/// series is badly conditioned). A column whose part orthogonal to the earlier columns is below 1e-10 x its
/// norm is (numerically) a combination of them and gets x_j = 0: a constant series without ridge gives
/// such columns. Throws InvalidArgument on bad sizes.
std::vector<double> solve_least_squares(std::vector<double> a, std::vector<double> b, std::size_t rows,
                                        std::size_t cols);

}  // namespace penumbra::predict
