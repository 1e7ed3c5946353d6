# penumbra-topo as users run it.
penumbra_add_cli_test(penumbra_topo_virtual_nodes RANKS 4 COMMAND $<TARGET_FILE:penumbra-topo> --json
                      EXPECT_EXIT zero EXPECT_OUTPUT "\"nodes\": 2," ENVIRONMENT PENUMBRA_VIRTUAL_NODES=2)
penumbra_add_cli_test(penumbra_topo_latency_table RANKS 4 COMMAND $<TARGET_FILE:penumbra-topo> --latency
                      EXPECT_EXIT zero EXPECT_OUTPUT "median MPI_Get latency")
penumbra_add_cli_test(penumbra_topo_rejects_bad_epoch_interval RANKS 2 COMMAND $<TARGET_FILE:penumbra-topo>
                      EXPECT_EXIT nonzero EXPECT_OUTPUT "PENUMBRA_EPOCH_INTERVAL" ENVIRONMENT PENUMBRA_EPOCH_INTERVAL=-3)
