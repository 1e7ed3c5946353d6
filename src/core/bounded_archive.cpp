// The out-of-line parts of penumbra::detail::BoundedBinaryIArchive: its length check, and the Boost archive
// templates instantiated for it (Boost's library instantiates them for its own archives only; this is what
// boost/libs/serialization/src/binary_iarchive.cpp does for binary_iarchive).
#include "penumbra/detail/bounded_archive.hpp"

#include <fmt/format.h>

#include <boost/archive/impl/archive_serializer_map.ipp>
#include <boost/archive/impl/basic_binary_iarchive.ipp>
#include <boost/archive/impl/basic_binary_iprimitive.ipp>
#include "penumbra/errors.hpp"

namespace penumbra::detail {

void BoundedBinaryIArchive::check_length(std::size_t count, std::size_t item_bytes, const char* what) const {
  const auto left = static_cast<std::size_t>(source_.in_avail());
  if (count > left / item_bytes)
    throw SerializationError(fmt::format("a {} of {} items of {} bytes announced with only {} bytes left", what,
                                         count, item_bytes, left));
}

}  // namespace penumbra::detail

namespace boost::archive {
template class detail::archive_serializer_map<penumbra::detail::BoundedBinaryIArchive>;
template class basic_binary_iprimitive<penumbra::detail::BoundedBinaryIArchive, std::istream::char_type,
                                       std::istream::traits_type>;
template class basic_binary_iarchive<penumbra::detail::BoundedBinaryIArchive>;
template class binary_iarchive_impl<penumbra::detail::BoundedBinaryIArchive, std::istream::char_type,
                                    std::istream::traits_type>;
}  // namespace boost::archive
