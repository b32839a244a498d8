// nvidia-smi's MIG outputs as real GPUs printed them (tests/fixtures/nvidia-smi/README.md names
// the source of each) are read into the right values, and lines that mean something else are
// refused with the command and the line named.

#include "mig/geometry.hpp"
#include "mig/nvidia_smi_parser.hpp"
#include "mig/profile_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace gpushare::mig {
namespace {

using ::testing::HasSubstr;

std::string recorded(const std::string& name) {
  const std::string path = std::string(GPUSHARE_SOURCE_DIR) + "/tests/fixtures/nvidia-smi/" + name;
  std::ifstream file(path);
  if (!file) {
    ADD_FAILURE() << "missing fixture " << path;
    return {};
  }
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

/// `text` with the first occurrence of `from` replaced (the fixture must contain it).
std::string with_replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "fixture lacks '" << from << "'";
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

template <typename Parse> std::string parse_error_of(Parse parse, const std::string& text) {
  try {
    (void)parse(text);
  } catch (const nvidia_smi_output_error& failure) {
    return failure.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return {};
}

TEST(NvidiaSmiParser, ReadsTheTwoLineProfilesOfAnA100) {
  const auto listing = parse_gpu_instance_profiles(recorded("a100-sxm4-40gb-lgip.txt"));
  EXPECT_EQ(listing.state, smi_state::ok);
  ASSERT_EQ(listing.profiles.size(), 7u);
  std::vector<std::string> names;
  std::vector<int> ids;
  for (const auto& p : listing.profiles) {
    names.push_back(p.name);
    ids.push_back(p.id);
    EXPECT_EQ(p.gpu, 0);
    EXPECT_EQ(p.free, p.total) << p.name << " on an empty GPU";
    EXPECT_EQ(p.p2p, "No");
    EXPECT_TRUE(p.ce && p.jpeg && p.ofa) << p.name << " lost its second line";
  }
  EXPECT_EQ(names, (std::vector<std::string>{"1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb",
                                             "4g.20gb", "7g.40gb"}));
  EXPECT_EQ(ids, (std::vector<int>{19, 20, 15, 14, 9, 5, 0}));
  const auto& me = listing.profiles[1];
  EXPECT_EQ(me.total, 1);
  EXPECT_DOUBLE_EQ(me.memory_gib, 4.75);
  EXPECT_EQ(me.sm, 14);
  EXPECT_EQ(me.dec, 1);
  EXPECT_EQ(*me.jpeg, 1);
  EXPECT_EQ(*me.ofa, 1);
  const auto& full = listing.profiles[6];
  EXPECT_DOUBLE_EQ(full.memory_gib, 39.38);
  EXPECT_EQ(full.sm, 98);
  EXPECT_EQ(full.dec, 5);
  EXPECT_EQ(*full.ce, 7);
  EXPECT_EQ(listing.profiles[4].total, 2);
  EXPECT_DOUBLE_EQ(listing.profiles[4].memory_gib, 19.62);
}

TEST(NvidiaSmiParser, ReadsFreeInstancesOfAFullGpu) {
  const auto listing = parse_gpu_instance_profiles(recorded("a100-sxm4-40gb-lgip-used.txt"));
  ASSERT_EQ(listing.profiles.size(), 7u);
  std::vector<int> totals;
  for (const auto& p : listing.profiles) {
    EXPECT_EQ(p.free, 0) << p.name;
    totals.push_back(p.total);
  }
  EXPECT_EQ(totals, (std::vector<int>{7, 1, 4, 3, 2, 1, 1}));
}

TEST(NvidiaSmiParser, ReadsTheNarrowerTableOfAnA30) {
  const auto listing = parse_gpu_instance_profiles(recorded("a30-lgip.txt"));
  ASSERT_EQ(listing.profiles.size(), 4u);
  EXPECT_EQ(listing.profiles[1].name, "1g.6gb+me");
  EXPECT_EQ(listing.profiles[1].id, 21);
  EXPECT_EQ(listing.profiles[2].name, "2g.12gb");
  EXPECT_EQ(listing.profiles[2].id, 5);
  EXPECT_DOUBLE_EQ(listing.profiles[2].memory_gib, 11.69);
  EXPECT_EQ(listing.profiles[3].total, 1);
  EXPECT_DOUBLE_EQ(listing.profiles[3].memory_gib, 23.50);
  EXPECT_EQ(listing.profiles[3].sm, 56);
}

TEST(NvidiaSmiParser, ReadsPlacementsIncludingTheSingularForm) {
  const auto listing = parse_gpu_instance_placements(recorded("a100-sxm4-40gb-lgipp.txt"));
  ASSERT_EQ(listing.profiles.size(), 7u);
  const auto& one_slice = listing.profiles[0];
  EXPECT_EQ(one_slice.profile_id, 19);
  ASSERT_EQ(one_slice.placements.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(one_slice.placements[i], (placement{i, 1}));
  }
  EXPECT_EQ(listing.profiles[2].profile_id, 15);
  EXPECT_EQ(listing.profiles[2].placements,
            (std::vector<placement>{{0, 2}, {2, 2}, {4, 2}, {6, 2}}));
  EXPECT_EQ(listing.profiles[5].profile_id, 5); // "Placement : {0}:4"
  EXPECT_EQ(listing.profiles[5].placements, (std::vector<placement>{{0, 4}}));
  EXPECT_EQ(listing.profiles[6].placements, (std::vector<placement>{{0, 8}}));

  const auto a30 = parse_gpu_instance_placements(recorded("a30-lgipp.txt"));
  ASSERT_EQ(a30.profiles.size(), 4u);
  EXPECT_EQ(a30.profiles[2].profile_id, 5);
  EXPECT_EQ(a30.profiles[2].placements, (std::vector<placement>{{0, 2}, {2, 2}}));
  EXPECT_EQ(a30.profiles[3].placements, (std::vector<placement>{{0, 4}}));
}

TEST(NvidiaSmiParser, LiveTableBecomesACatalogThatAgreesWithTheGuide) {
  const auto board =
      to_board_catalog(parse_gpu_instance_profiles(recorded("a100-sxm4-40gb-lgip.txt")),
                       parse_gpu_instance_placements(recorded("a100-sxm4-40gb-lgipp.txt")), 0,
                       "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(board.origin, catalog_source::nvidia_smi);
  EXPECT_EQ(board.model, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(board.compute_slices, 7);
  EXPECT_EQ(board.memory_slices, 8);
  ASSERT_EQ(board.profiles.size(), 7u);
  const auto& builtin = find_board("A100-40GB");
  for (const auto& known : builtin.profiles) {
    const auto& live = find_profile(board, std::to_string(known.id));
    EXPECT_EQ(live.name, known.name);
    EXPECT_EQ(live.placements, known.placements) << known.name;
    EXPECT_EQ(live.memory_slices, known.memory_slices) << known.name;
    EXPECT_EQ(live.compute_slices, known.compute_slices) << known.name;
    EXPECT_EQ(live.max_instances, known.max_instances) << known.name;
    EXPECT_EQ(live.media_extensions, known.media_extensions) << known.name;
    EXPECT_FALSE(live.placements_inferred);
  }
  EXPECT_EQ(find_profile(board, "2g.10gb").memory_mib, 9984u); // 9.75 GiB
  EXPECT_EQ(*find_profile(board, "3g.20gb").sm_count, 42);
  EXPECT_TRUE(validate_geometry(board, {"3g.20gb", "2g.10gb", "1g.5gb", "1g.5gb"}).valid);
  EXPECT_FALSE(validate_geometry(board, {"4g.20gb", "4g.20gb"}).valid);

  const auto a30 =
      to_board_catalog(parse_gpu_instance_profiles(recorded("a30-lgip.txt")),
                       parse_gpu_instance_placements(recorded("a30-lgipp.txt")), 0, "NVIDIA A30");
  EXPECT_EQ(a30.compute_slices, 4);
  EXPECT_EQ(a30.memory_slices, 4);
  EXPECT_EQ(find_profile(a30, "4g.24gb").memory_mib, 24064u); // 23.50 GiB
  EXPECT_THROW((void)to_board_catalog(parse_gpu_instance_profiles(recorded("a30-lgip.txt")),
                                      parse_gpu_instance_placements(recorded("a30-lgipp.txt")), 1,
                                      "NVIDIA A30"),
               nvidia_smi_output_error);
}

TEST(NvidiaSmiParser, ReadsGpuInstancesWithTheirPlacements) {
  const auto listing = parse_gpu_instances(recorded("a100-sxm4-40gb-lgi.txt"));
  EXPECT_EQ(listing.state, smi_state::ok);
  ASSERT_EQ(listing.instances.size(), 3u);
  const auto& small = listing.instances[0];
  EXPECT_EQ(small.gpu, 0);
  EXPECT_EQ(small.profile, "1g.5gb");
  EXPECT_EQ(small.profile_id, 19);
  EXPECT_EQ(small.id, 9);
  EXPECT_EQ(*small.where, (placement{6, 1}));
  EXPECT_EQ(listing.instances[1].id, 3);
  EXPECT_EQ(*listing.instances[1].where, (placement{4, 2}));
  EXPECT_EQ(listing.instances[2].profile, "4g.20gb");
  EXPECT_EQ(listing.instances[2].profile_id, 5);
  EXPECT_EQ(*listing.instances[2].where, (placement{0, 4}));

  const auto geometry = parse_gpu_instances(recorded("a100-sxm4-40gb-lgi-3211.txt"));
  ASSERT_EQ(geometry.instances.size(), 4u);
  EXPECT_EQ(geometry.instances[2].profile, "2g.10gb");
  EXPECT_EQ(geometry.instances[2].id, 4);
  EXPECT_EQ(*geometry.instances[2].where, (placement{2, 2}));
  EXPECT_EQ(*geometry.instances[3].where, (placement{4, 4}));

  const auto halves = parse_gpu_instances(recorded("a100-sxm4-40gb-lgi-two-3g.txt"));
  ASSERT_EQ(halves.instances.size(), 2u);
  EXPECT_EQ(halves.instances[0].id, 1);
  EXPECT_EQ(*halves.instances[0].where, (placement{4, 4}));

  const auto a30 = parse_gpu_instances(recorded("a30-lgi.txt"));
  ASSERT_EQ(a30.instances.size(), 4u);
  EXPECT_EQ(a30.instances[3].id, 6);
  EXPECT_EQ(*a30.instances[3].where, (placement{3, 1}));
}

TEST(NvidiaSmiParser, ReadsComputeInstancesWithAndWithoutPlacement) {
  const auto listing = parse_compute_instances(recorded("a100-sxm4-40gb-lci.txt"));
  ASSERT_EQ(listing.instances.size(), 4u);
  const auto& second = listing.instances[2];
  EXPECT_EQ(second.gpu_instance_id, 3);
  EXPECT_EQ(second.id, 1);
  EXPECT_EQ(second.profile, "1c.2g.10gb");
  EXPECT_EQ(second.profile_id, 0);
  EXPECT_EQ(*second.where, (placement{1, 1}));
  EXPECT_EQ(listing.instances[3].profile, "4g.20gb");
  EXPECT_EQ(listing.instances[3].profile_id, 3);
  EXPECT_EQ(*listing.instances[3].where, (placement{0, 4}));

  const auto older = parse_compute_instances(recorded("a100-sxm4-40gb-lci-guide.txt"));
  ASSERT_EQ(older.instances.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(older.instances[i].gpu_instance_id, 1);
    EXPECT_EQ(older.instances[i].id, i);
    EXPECT_EQ(older.instances[i].profile, "1c.3g.20gb");
    EXPECT_FALSE(older.instances[i].where.has_value());
  }
}

TEST(NvidiaSmiParser, ReadsMigDevicesOfNvidiaSmiList) {
  const auto gpus = parse_gpu_list(recorded("a100-sxm4-40gb-L.txt"));
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(gpus[0].index, 0);
  EXPECT_EQ(gpus[0].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(gpus[0].uuid, "GPU-9e4aeb94-01c0-5173-4811-4ca60f77b3a9");
  ASSERT_EQ(gpus[0].devices.size(), 4u);
  EXPECT_EQ(gpus[0].devices[0].profile, "4g.20gb");
  EXPECT_EQ(gpus[0].devices[0].uuid, "MIG-c42101f0-a1fa-5b68-8908-7c5c887f28bd");
  EXPECT_EQ(gpus[0].devices[2].device_index, 2);
  EXPECT_EQ(gpus[0].devices[2].profile, "1c.2g.10gb");
  EXPECT_EQ(gpus[0].devices[3].uuid, "MIG-20301a31-77fa-59ec-b0b8-7ef543821f29");
  EXPECT_EQ(gpus[0].devices[3].gpu_instance_id, -1) << "R470+ UUIDs carry no IDs";

  const auto dgx = parse_gpu_list(recorded("dgx-a100-L.txt"));
  ASSERT_EQ(dgx.size(), 8u);
  std::vector<std::size_t> counts;
  for (const auto& gpu : dgx) {
    counts.push_back(gpu.devices.size());
    EXPECT_EQ(gpu.name, "A100-SXM4-40GB");
    for (const auto& device : gpu.devices) {
      EXPECT_EQ(device.gpu, gpu.index);
    }
  }
  EXPECT_EQ(counts, (std::vector<std::size_t>{7, 3, 2, 1, 6, 1, 3, 3}));
  EXPECT_EQ(dgx[6].devices[1].profile, "2c.7g.40gb");
  EXPECT_EQ(dgx[7].uuid, "GPU-95fac899-e21a-0e44-b0fc-e4e3bf106feb");

  const auto r450 = parse_gpu_list(recorded("a100-sxm4-40gb-L-r450.txt"));
  ASSERT_EQ(r450.at(0).devices.size(), 2u);
  EXPECT_EQ(r450[0].devices[1].uuid, "MIG-GPU-2fa5cf01-9520-1bc1-995b-cc0c6d9bca7c/2/0");
  EXPECT_EQ(r450[0].devices[1].gpu_instance_id, 2);
  EXPECT_EQ(r450[0].devices[1].compute_instance_id, 0);

  const auto h100 = parse_gpu_list(recorded("h100-80gb-hbm3-L.txt"));
  ASSERT_EQ(h100.at(0).devices.size(), 5u);
  EXPECT_EQ(h100[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(h100[0].devices[4].profile, "1g.10gb");
  EXPECT_EQ(h100[0].devices[4].uuid, "MIG-c71dc464-b9f9-5611-9d29-d601a47cffd6");

  const auto guide = parse_gpu_list(recorded("a100-sxm4-40gb-L-guide.txt"));
  ASSERT_EQ(guide.at(0).devices.size(), 2u);
  EXPECT_EQ(guide[0].devices[1].uuid, "MIG-a28ad590-3fda-56dd-84fc-0a0b96edc58d");
  EXPECT_TRUE(parse_gpu_list("No devices were found\n").empty());
}

TEST(NvidiaSmiParser, ReadsTheMigModeQuery) {
  const auto a100 = parse_mig_mode_query(recorded("a100-sxm4-40gb-query.txt"));
  ASSERT_EQ(a100.size(), 1u);
  EXPECT_EQ(a100[0].index, 0);
  EXPECT_EQ(a100[0].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(a100[0].uuid, "GPU-9e4aeb94-01c0-5173-4811-4ca60f77b3a9");
  EXPECT_EQ(a100[0].current, mig_mode_value::enabled);
  EXPECT_EQ(a100[0].pending, mig_mode_value::enabled);

  const auto laptop = parse_mig_mode_query(recorded("rtx4070-laptop-query.txt"));
  ASSERT_EQ(laptop.size(), 1u);
  EXPECT_EQ(laptop[0].name, "NVIDIA GeForce RTX 4070 Laptop GPU");
  EXPECT_EQ(laptop[0].current, mig_mode_value::not_supported);

  const auto two = parse_mig_mode_query(
      "0, NVIDIA A100-SXM4-40GB, GPU-9e4aeb94-01c0-5173-4811-4ca60f77b3a9, Enabled, Enabled\n"
      "1, NVIDIA A100-SXM4-40GB, GPU-0aa11ebd-627f-af3f-1a0d-4e1fd92fd7b0, Disabled, Enabled\n");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].index, 1);
  EXPECT_EQ(two[1].current, mig_mode_value::disabled);
  EXPECT_EQ(two[1].pending, mig_mode_value::enabled);
}

TEST(NvidiaSmiParser, PairsMigDevicesWithTheirInstancesFromTheDeviceTable) {
  const auto rows = parse_mig_device_table(recorded("a100-sxm4-40gb-smi.txt"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].gpu_instance_id, 2);
  EXPECT_EQ(rows[0].device_index, 0);
  EXPECT_EQ(rows[2].gpu_instance_id, 3);
  EXPECT_EQ(rows[2].compute_instance_id, 1);
  EXPECT_EQ(rows[2].device_index, 2);
  EXPECT_EQ(rows[3].gpu_instance_id, 9);
  EXPECT_EQ(rows[3].device_index, 3);

  const auto guide = parse_mig_device_table(recorded("a100-sxm4-40gb-smi-guide.txt"));
  ASSERT_EQ(guide.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(guide[i].gpu_instance_id, 1);
    EXPECT_EQ(guide[i].compute_instance_id, i);
    EXPECT_EQ(guide[i].device_index, i);
  }
  EXPECT_TRUE(parse_mig_device_table(recorded("a100-sxm4-40gb-lgi.txt")).empty());
}

TEST(NvidiaSmiParser, ReadsWhatCreationReported) {
  const auto made = parse_creation_output(recorded("a100-sxm4-40gb-cgi.txt"));
  ASSERT_EQ(made.gpu_instances.size(), 2u);
  ASSERT_EQ(made.compute_instances.size(), 2u);
  EXPECT_EQ(*made.gpu_instances[0].id, 2);
  EXPECT_EQ(made.gpu_instances[0].profile, "3g.20gb");
  EXPECT_EQ(made.gpu_instances[0].profile_id, 9);
  EXPECT_EQ(*made.gpu_instances[1].id, 1);
  EXPECT_EQ(made.compute_instances[1].gpu_instance_id, 1);
  EXPECT_EQ(*made.compute_instances[1].id, 0);
  EXPECT_EQ(made.compute_instances[1].profile_id, 2);
  EXPECT_TRUE(made.failures.empty());
  EXPECT_TRUE(made.other.empty());

  const auto partial = parse_creation_output(recorded("a100-sxm4-40gb-cgi-insufficient.txt"));
  ASSERT_EQ(partial.gpu_instances.size(), 3u);
  EXPECT_EQ(*partial.gpu_instances[0].id, 13);
  EXPECT_EQ(*partial.gpu_instances[2].id, 3);
  ASSERT_EQ(partial.failures.size(), 2u);
  EXPECT_THAT(partial.failures[0], HasSubstr("Insufficient Resources"));

  const auto anonymous = parse_creation_output(recorded("a100-sxm4-40gb-cci.txt"));
  ASSERT_EQ(anonymous.compute_instances.size(), 3u);
  EXPECT_FALSE(anonymous.compute_instances[0].id.has_value());
  EXPECT_EQ(anonymous.compute_instances[0].gpu_instance_id, 1);
  EXPECT_EQ(anonymous.compute_instances[0].profile, "1c.3g.20gb");

  const auto destroyed = parse_creation_output(recorded("a100-sxm4-40gb-dgi.txt"));
  EXPECT_TRUE(destroyed.gpu_instances.empty());
  EXPECT_EQ(destroyed.other.size(), 2u);
  EXPECT_EQ(parse_creation_output(recorded("a100-sxm4-40gb-dci.txt")).other.size(), 3u);
  EXPECT_EQ(parse_creation_output(recorded("a100-sxm4-40gb-cgi-permission.txt")).failures.size(),
            2u);
}

TEST(NvidiaSmiParser, MessagesAreStatesNotErrors) {
  EXPECT_EQ(parse_gpu_instance_profiles(recorded("t4-lgip.txt")).state, smi_state::mig_disabled);
  EXPECT_EQ(parse_gpu_instance_placements(recorded("t4-lgip.txt")).state, smi_state::mig_disabled);
  const auto none = parse_gpu_instances(recorded("a100-sxm4-40gb-lgi-empty.txt"));
  EXPECT_EQ(none.state, smi_state::no_instances);
  EXPECT_TRUE(none.instances.empty());
  EXPECT_EQ(parse_compute_instances("No compute instances found: Not Found\n").state,
            smi_state::no_instances);
  EXPECT_EQ(parse_gpu_instances("No MIG-supported devices found.\n").state,
            smi_state::mig_unsupported);
  EXPECT_EQ(classify_message(recorded("a100-sxm4-40gb-cgi-permission.txt")),
            smi_state::permission_denied);
  EXPECT_EQ(parse_gpu_instances("No GPU instances found: Insufficient Permissions\n").state,
            smi_state::permission_denied);
  EXPECT_EQ(classify_message("Successfully destroyed GPU instance ID  1 from GPU  0"),
            smi_state::ok);
}

TEST(NvidiaSmiParser, MalformedProfileLinesAreRejectedByName) {
  const std::string lgip = recorded("a100-sxm4-40gb-lgip.txt");
  const std::string bad_count =
      parse_error_of(parse_gpu_instance_profiles, with_replaced(lgip, "7/7", "7of7"));
  EXPECT_THAT(bad_count, HasSubstr("nvidia-smi mig -lgip"));
  EXPECT_THAT(bad_count, HasSubstr("line 6"));
  EXPECT_THAT(bad_count, HasSubstr("7of7"));
  EXPECT_THAT(parse_error_of(parse_gpu_instance_profiles, with_replaced(lgip, "4.75 ", "4,75 ")),
              HasSubstr("4,75"));
  EXPECT_THAT(
      parse_error_of(parse_gpu_instance_profiles,
                     with_replaced(lgip, "MIG 1g.10gb         15", "XYZ 1g.10gb         15")),
      HasSubstr("XYZ"));
  EXPECT_THAT(parse_error_of(parse_gpu_instance_profiles,
                             with_replaced(lgip, "   0   |\n+", "   0    0   |\n+")),
              HasSubstr("line 7"));
  EXPECT_THAT(parse_error_of(parse_gpu_instance_profiles, lgip + "warning: something else\n"),
              HasSubstr("warning: something else"));
  // A table of another command is not a profile table.
  EXPECT_THAT(parse_error_of(parse_gpu_instance_profiles, recorded("a100-sxm4-40gb-lgi.txt")),
              HasSubstr("GPU instance profiles:"));
  EXPECT_THAT(parse_error_of(parse_gpu_instance_profiles, ""), HasSubstr("printed nothing"));
}

TEST(NvidiaSmiParser, MalformedInstanceLinesAreRejectedByName) {
  const std::string lgi = recorded("a100-sxm4-40gb-lgi.txt");
  const std::string bad_place =
      parse_error_of(parse_gpu_instances, with_replaced(lgi, "6:1", "6-1"));
  EXPECT_THAT(bad_place, HasSubstr("nvidia-smi mig -lgi"));
  EXPECT_THAT(bad_place, HasSubstr("6-1"));
  EXPECT_THAT(parse_error_of(parse_gpu_instances, with_replaced(lgi, "4:2     |", "4:2   7 |")),
              HasSubstr("line 8"));
  EXPECT_THAT(parse_error_of(parse_gpu_instances, with_replaced(lgi, "4:2     |", "4:2      ")),
              HasSubstr("must end with '|'"));
  EXPECT_THAT(parse_error_of(parse_gpu_instances, with_replaced(lgi, "0:4", "0:0")),
              HasSubstr("0:0"));

  const std::string lci = recorded("a100-sxm4-40gb-lci.txt");
  EXPECT_THAT(
      parse_error_of(parse_compute_instances, with_replaced(lci, "MIG 1c.2g.10gb       0         1",
                                                            "MIG 1c.2g.10gb       0         x")),
      HasSubstr("nvidia-smi mig -lci"));
  EXPECT_THAT(parse_error_of(parse_compute_instances, recorded("a100-sxm4-40gb-lgi.txt")),
              HasSubstr("Compute instances:"));
}

TEST(NvidiaSmiParser, MalformedPlacementListModeAndDeviceLinesAreRejectedByName) {
  const std::string lgipp = recorded("a100-sxm4-40gb-lgipp.txt");
  const std::string missing_brace =
      parse_error_of(parse_gpu_instance_placements, with_replaced(lgipp, "{0,2,4}:2", "0,2,4:2"));
  EXPECT_THAT(missing_brace, HasSubstr("nvidia-smi mig -lgipp"));
  EXPECT_THAT(missing_brace, HasSubstr("line 4"));
  EXPECT_THAT(parse_error_of(parse_gpu_instance_placements, with_replaced(lgipp, "{0}:8", "{}:8")),
              HasSubstr("without any placement"));

  const std::string list = recorded("a100-sxm4-40gb-L.txt");
  EXPECT_THAT(parse_error_of(parse_gpu_list, with_replaced(list, "Device  2:", "Instance  2:")),
              HasSubstr("nvidia-smi -L"));
  EXPECT_THAT(parse_error_of(parse_gpu_list, "  MIG 1g.5gb Device 0: (UUID: MIG-1234)\n"),
              HasSubstr("before any GPU"));

  const std::string query = recorded("a100-sxm4-40gb-query.txt");
  EXPECT_THAT(parse_error_of(parse_mig_mode_query, with_replaced(query, ", Enabled\n", ", On\n")),
              HasSubstr("'On'"));
  EXPECT_THAT(parse_error_of(parse_mig_mode_query, "0, NVIDIA A100-SXM4-40GB, Enabled\n"),
              HasSubstr("--query-gpu"));
  EXPECT_THAT(parse_error_of(parse_mig_device_table,
                             with_replaced(recorded("a100-sxm4-40gb-smi.txt"),
                                           "|  0    3   1   2  |", "|  0    3   1      |")),
              HasSubstr("GPU GI CI MIG-DEV"));
}

} // namespace
} // namespace gpushare::mig
