#pragma once
/// @file bounded_archive.hpp
/// The Boost archive penumbra::decode reads non-trivially-copyable values with: binary_iarchive (same byte
/// format, so it reads what binary_oarchive wrote) that checks every length it reads against the bytes left
/// before anything is allocated. Boost's own binary_iarchive resizes a string or reserves a collection to
/// whatever length the bytes claim, so a corrupted 8-byte length made it allocate gigabytes (found by
/// fuzz/fuzz_migration, docs/reliability.md). A string must fit in the bytes left; a collection may not
/// announce more elements than bytes left (every element of a binary archive takes at least one byte, except
/// elements of a type that serializes nothing: such collections larger than their encoding are rejected).
#include <boost/archive/binary_iarchive_impl.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/collection_size_type.hpp>
#include <cstddef>
#include <istream>
#include <streambuf>
#include <string>

namespace penumbra::detail {

class BoundedBinaryIArchive
    : public boost::archive::binary_iarchive_impl<BoundedBinaryIArchive, std::istream::char_type,
                                                  std::istream::traits_type> {
  using Base =
      boost::archive::binary_iarchive_impl<BoundedBinaryIArchive, std::istream::char_type, std::istream::traits_type>;
  friend class boost::archive::detail::interface_iarchive<BoundedBinaryIArchive>;
  friend class boost::archive::basic_binary_iarchive<BoundedBinaryIArchive>;
  friend class boost::archive::basic_binary_iprimitive<BoundedBinaryIArchive, std::istream::char_type,
                                                       std::istream::traits_type>;
  friend class boost::archive::load_access;

 public:
  BoundedBinaryIArchive(std::streambuf& source, unsigned int flags) : Base(source, flags), source_(source) {
    init(flags);
  }

 protected:
  template <class T>
  void load_override(T& value) {
    Base::load_override(value);
  }
  void load_override(boost::serialization::collection_size_type& count) {
    Base::load_override(count);
    // Through a const reference: collection_size_type converts to size_t both as a value and as a reference,
    // and gcc's -Wconversion warns about choosing between them.
    const boost::serialization::collection_size_type& loaded = count;
    check_length(loaded, 1, "collection");
  }

  using Base::load;
  void load(std::string& text) {
    std::size_t length = 0;
    load(length);
    check_length(length, 1, "string");
    text.resize(length);
    if (length > 0) load_binary(text.data(), length);
  }
  void load(std::wstring& text) {
    std::size_t length = 0;
    load(length);
    check_length(length, sizeof(wchar_t), "wide string");
    text.resize(length);
    if (length > 0) load_binary(text.data(), length * sizeof(wchar_t));
  }

 private:
  /// Throws SerializationError unless `count` items of `item_bytes` bytes each fit in the bytes left.
  void check_length(std::size_t count, std::size_t item_bytes, const char* what) const;

  std::streambuf& source_;
};

}  // namespace penumbra::detail

// As Boost does for its own archives: export (BOOST_CLASS_EXPORT) registers types with this archive too, and
// arrays of primitives are read in one block, as binary_oarchive writes them.
BOOST_SERIALIZATION_REGISTER_ARCHIVE(penumbra::detail::BoundedBinaryIArchive)
BOOST_SERIALIZATION_USE_ARRAY_OPTIMIZATION(penumbra::detail::BoundedBinaryIArchive)
