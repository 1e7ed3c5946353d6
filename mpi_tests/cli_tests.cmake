# penumbra-topo as users run it.
penumbra_add_cli_test(penumbra_topo_virtual_nodes RANKS 4 COMMAND $<TARGET_FILE:penumbra-topo> --json
                      EXPECT_EXIT zero EXPECT_OUTPUT "\"nodes\": 2," ENVIRONMENT PENUMBRA_VIRTUAL_NODES=2)
penumbra_add_cli_test(penumbra_topo_latency_table RANKS 4 COMMAND $<TARGET_FILE:penumbra-topo> --latency
                      EXPECT_EXIT zero EXPECT_OUTPUT "median one-sided get latency")
penumbra_add_cli_test(penumbra_topo_rejects_bad_epoch_interval RANKS 2 COMMAND $<TARGET_FILE:penumbra-topo>
                      EXPECT_EXIT nonzero EXPECT_OUTPUT "PENUMBRA_EPOCH_INTERVAL" ENVIRONMENT PENUMBRA_EPOCH_INTERVAL=-3)

# penumbra-config: the environment reaches a section key, and a bad section value names the variable.
penumbra_add_cli_test(penumbra_config_effective RANKS 1 COMMAND $<TARGET_FILE:penumbra-config> --effective
                      EXPECT_EXIT zero EXPECT_OUTPUT "affinity.margin = 0.25" ENVIRONMENT PENUMBRA_AFFINITY_MARGIN=0.25)
penumbra_add_cli_test(penumbra_config_rejects_bad_weight RANKS 1 COMMAND $<TARGET_FILE:penumbra-config> --effective
                      EXPECT_EXIT nonzero EXPECT_OUTPUT "PENUMBRA_AFFINITY_MARGIN = '-2'"
                      ENVIRONMENT PENUMBRA_AFFINITY_MARGIN=-2)
penumbra_add_cli_test(penumbra_config_rejects_unknown_strategy RANKS 1 COMMAND $<TARGET_FILE:penumbra-config> --effective
                      EXPECT_EXIT nonzero
                      EXPECT_OUTPUT "PENUMBRA_BALANCE_STRATEGY = 'best' \\(expected one of: static, greedy, refine"
                      ENVIRONMENT PENUMBRA_BALANCE_STRATEGY=best)

# penumbra-checkpoint on the checkpoint a 4-rank job wrote (checkpoint_restart.np4_to_np2.write), and on a
# directory that holds none.
penumbra_add_cli_test(penumbra_checkpoint_verifies RANKS 1 COMMAND $<TARGET_FILE:penumbra-checkpoint>
                      ${CMAKE_CURRENT_BINARY_DIR}/checkpoints/np4_to_np2
                      EXPECT_EXIT zero EXPECT_OUTPUT "written by 4 rank.*300 objects, 12 tombstones, [0-9]+ bytes of data: OK")
set_tests_properties(penumbra_checkpoint_verifies PROPERTIES FIXTURES_REQUIRED checkpoint_restart.np4_to_np2)
penumbra_add_cli_test(penumbra_checkpoint_rejects_missing RANKS 1 COMMAND $<TARGET_FILE:penumbra-checkpoint>
                      ${CMAKE_CURRENT_BINARY_DIR}/checkpoints/none
                      EXPECT_EXIT nonzero EXPECT_OUTPUT "checkpoints/none/MANIFEST.penumbra: missing")
