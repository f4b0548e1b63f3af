// HDF5's type and property-list ids are macros over globals that Swift cannot import; these
// getters expose them (HDF5 is initialised first, so the globals are valid).
#ifndef WANN_CHDF5_SHIM_H
#define WANN_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t wann_h5t_native_double(void) { H5open(); return H5T_NATIVE_DOUBLE; }
static inline hid_t wann_h5t_native_int8(void) { H5open(); return H5T_NATIVE_INT8; }
static inline hid_t wann_h5t_native_int32(void) { H5open(); return H5T_NATIVE_INT32; }
static inline hid_t wann_h5t_native_int64(void) { H5open(); return H5T_NATIVE_INT64; }
static inline hid_t wann_h5t_native_uint64(void) { H5open(); return H5T_NATIVE_UINT64; }
static inline hid_t wann_h5t_c_s1(void) { H5open(); return H5T_C_S1; }
static inline hid_t wann_h5p_file_access(void) { H5open(); return H5P_FILE_ACCESS; }
static inline hid_t wann_h5p_dataset_create(void) { H5open(); return H5P_DATASET_CREATE; }
static inline hid_t wann_h5p_object_copy(void) { H5open(); return H5P_OBJECT_COPY; }
static inline hid_t wann_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t wann_h5s_all(void) { return H5S_ALL; }
static inline hid_t wann_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned wann_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned wann_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned wann_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned wann_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t wann_h5t_variable(void) { return H5T_VARIABLE; }
#endif
