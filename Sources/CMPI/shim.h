// Open MPI's handles are macros over addresses of globals, which Swift cannot import: these
// getters return them.
#ifndef WANN_CMPI_SHIM_H
#define WANN_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm wann_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype wann_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype wann_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Errhandler wann_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *wann_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int wann_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int wann_mpi_any_tag(void) { return MPI_ANY_TAG; }
static inline int wann_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
#endif
