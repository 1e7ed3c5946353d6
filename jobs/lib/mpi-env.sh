# shellcheck shell=bash
# Sourced by the job scripts: the Open MPI settings our machines need (../../shared/ENVIRONMENT.md).
# Root needs the two ALLOW variables; 4-8 ranks on 2 cores need oversubscription; and idle ranks must yield
# or they busy-poll the shared cores (mpirun turns yielding on by itself when oversubscribed, srun does not:
# an 8-rank test took >3 min instead of 5.6 s without it).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_mpi_yield_when_idle=${OMPI_MCA_mpi_yield_when_idle:-1}
