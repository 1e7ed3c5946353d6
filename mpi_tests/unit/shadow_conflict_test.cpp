// The conflict rule for updates made at shadows, and an owner that applies it to a stream of updates.
#include <gtest/gtest.h>

#include <map>

#include "penumbra/errors.hpp"
#include "shadow/conflict.hpp"

namespace penumbra::shadow {
namespace {

OwnerView owner_at(Version current, int writer = 0, Version oldest = 1, std::uint64_t last_sequence = 0,
                   bool has_merge = true) {
  return OwnerView{current, writer, oldest, last_sequence, has_merge};
}

TEST(ShadowConflict, UpdateFromTheCurrentVersionIsApplied) {
  const Resolution r = resolve_update(owner_at(5), Update{5, 2, 1});
  EXPECT_EQ(r.update_case, UpdateCase::apply);
  EXPECT_EQ(r.result, UpdateResult::theirs);
  EXPECT_EQ(r.next_version, 6U);
}

TEST(ShadowConflict, UpdateFromAnOlderRetainedVersionIsMerged) {
  const Resolution r = resolve_update(owner_at(5, 1, 3), Update{3, 2, 1});
  EXPECT_EQ(r.update_case, UpdateCase::conflict);
  EXPECT_EQ(r.result, UpdateResult::merged);
  EXPECT_EQ(r.merge_base, 3U);
  EXPECT_EQ(r.next_version, 6U);
}

TEST(ShadowConflict, WithoutAMergeTheLastWriterWinsByVersionThenRank) {
  // Both made version 5 from base 4: the higher rank wins.
  EXPECT_EQ(resolve_update(owner_at(5, 1, 1, 0, false), Update{4, 2, 1}).result, UpdateResult::theirs);
  EXPECT_EQ(resolve_update(owner_at(5, 3, 1, 0, false), Update{4, 2, 1}).result, UpdateResult::mine);
  // Theirs claims version 4 < 5: mine wins whatever the ranks.
  const Resolution r = resolve_update(owner_at(5, 0, 1, 0, false), Update{3, 7, 1});
  EXPECT_EQ(r.update_case, UpdateCase::conflict);
  EXPECT_EQ(r.result, UpdateResult::mine);
  EXPECT_EQ(r.next_version, 6U);  // republished, so the writer's tentative version 4 is superseded
}

TEST(ShadowConflict, StaleBaseIsResolvedByTheDefaultRuleEvenWithAMerge) {
  const Resolution old = resolve_update(owner_at(9, 0, 6), Update{5, 3, 1});
  EXPECT_EQ(old.update_case, UpdateCase::stale_base);
  EXPECT_EQ(old.result, UpdateResult::mine);
  EXPECT_EQ(old.merge_base, 0U);
  EXPECT_EQ(old.next_version, 10U);
  // Only the current version retained; a base one behind claims the current version: ranks decide.
  const Resolution tie = resolve_update(owner_at(9, 1, 9), Update{8, 3, 1});
  EXPECT_EQ(tie.update_case, UpdateCase::stale_base);
  EXPECT_EQ(tie.result, UpdateResult::theirs);
}

TEST(ShadowConflict, AResentUpdateIsADuplicate) {
  const Resolution r = resolve_update(owner_at(5, 0, 1, 4), Update{2, 1, 4});
  EXPECT_EQ(r.update_case, UpdateCase::duplicate);
  EXPECT_EQ(r.result, UpdateResult::none);
  EXPECT_EQ(r.next_version, 0U);
  EXPECT_EQ(resolve_update(owner_at(5, 0, 1, 4), Update{5, 1, 5}).update_case, UpdateCase::apply);
}

TEST(ShadowConflict, LastWriterWinsOrder) {
  EXPECT_TRUE(theirs_wins(4, 9, 5, 0));
  EXPECT_FALSE(theirs_wins(5, 0, 4, 9));
  EXPECT_TRUE(theirs_wins(5, 1, 5, 2));
  EXPECT_FALSE(theirs_wins(5, 2, 5, 1));
  EXPECT_FALSE(theirs_wins(5, 2, 5, 2));
}

TEST(ShadowConflict, ImpossibleOrMalformedUpdatesAreErrors) {
  EXPECT_THROW(resolve_update(owner_at(5), Update{6, 1, 1}), InvariantViolation);
  EXPECT_THROW(resolve_update(owner_at(5), Update{5, -1, 1}), InvalidArgument);
  EXPECT_THROW(resolve_update(owner_at(5), Update{5, 1, 0}), InvalidArgument);
  EXPECT_THROW(resolve_update(owner_at(5), Update{0, 1, 1}), InvalidArgument);
  EXPECT_THROW(resolve_update(owner_at(5, 0, 6), Update{5, 1, 1}), InvalidArgument);
  try {
    resolve_update(owner_at(5), Update{7, 2, 3});
    FAIL() << "expected InvariantViolation";
  } catch (const InvariantViolation& error) {
    EXPECT_NE(std::string(error.what()).find("base version 7 is newer than the owner's current version 5"),
              std::string::npos)
        << error.what();
  }
}

TEST(ShadowConflict, ResolvedValueCallsMergeWithBaseMineTheirs) {
  const MergeFunction<int> merge = [](const int& base, const int& mine, const int& theirs) {
    return base * 10000 + mine * 100 + theirs;
  };
  const int base = 1;
  Resolution r;
  r.result = UpdateResult::merged;
  EXPECT_EQ(resolved_value(r, &base, 2, 3, merge), 10203);
  EXPECT_THROW(resolved_value(r, static_cast<const int*>(nullptr), 2, 3, merge), InvalidArgument);
  r.result = UpdateResult::theirs;
  EXPECT_EQ(resolved_value(r, static_cast<const int*>(nullptr), 2, 3, merge), 3);
  r.result = UpdateResult::mine;
  EXPECT_EQ(resolved_value(r, static_cast<const int*>(nullptr), 2, 3, MergeFunction<int>{}), 2);
}

// An owner of one counter, as the mechanism would run it: updates are increments made at shadows from
// whatever version each writer held, some of them resent. With a merge that adds both increments, every
// increment counts exactly once, and versions grow by one per resolved update.
TEST(ShadowConflict, OwnerResolvesEachUpdateExactlyOnce) {
  struct Owner {
    Version current = 1;
    int writer = 0;
    std::map<Version, long> history{{1, 100}};  // version -> value, the last 4 kept
    std::map<int, std::uint64_t> last_sequence;

    void receive(const Update& update, long value) {
      const OwnerView view{current, writer, history.begin()->first, last_sequence[update.rank], true};
      const Resolution r = resolve_update(view, update);
      if (r.result == UpdateResult::none) return;
      const MergeFunction<long> add = [](const long& b, const long& m, const long& t) { return m + t - b; };
      const long* base = r.merge_base != 0 ? &history.at(r.merge_base) : nullptr;
      const long next = resolved_value(r, base, history.at(current), value, add);
      ASSERT_EQ(r.next_version, current + 1);
      current = r.next_version;
      writer = update.rank;
      last_sequence[update.rank] = update.sequence;
      history[current] = next;
      if (history.size() > 4) history.erase(history.begin());
    }
  } owner;

  // Ranks 1, 2 and 3 each read version 1 (value 100) and add 1, 2 and 3 at their shadows.
  owner.receive({1, 1, 1}, 101);
  owner.receive({1, 2, 1}, 102);
  owner.receive({1, 1, 1}, 101);  // resent: ignored
  owner.receive({1, 3, 1}, 103);
  // Rank 1 saw version 3 (value 103) and adds 10.
  owner.receive({3, 1, 2}, 113);
  owner.receive({3, 1, 2}, 113);  // resent again
  EXPECT_EQ(owner.current, 5U);
  EXPECT_EQ(owner.history.at(owner.current), 100 + 1 + 2 + 3 + 10);
}

}  // namespace
}  // namespace penumbra::shadow
