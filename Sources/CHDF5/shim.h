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
static inline hid_t wann_h5p_file_create(void) { H5open(); return H5P_FILE_CREATE; }
static inline hid_t wann_h5p_group_create(void) { H5open(); return H5P_GROUP_CREATE; }
static inline hid_t wann_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t wann_h5s_all(void) { return H5S_ALL; }
static inline hid_t wann_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned wann_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned wann_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned wann_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned wann_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline size_t wann_h5t_variable(void) { return H5T_VARIABLE; }
// Object references of the kind HDF5's dimension scales use (`hobj_ref_t`, an object's address):
// HDF5 1.12 renamed the type H5R_OBJECT1 and keeps H5R_OBJECT as a macro Swift cannot see.
static inline hid_t wann_h5t_std_ref_obj(void) { H5open(); return H5T_STD_REF_OBJ; }
static inline hid_t wann_h5t_native_int(void) { H5open(); return H5T_NATIVE_INT; }
static inline H5R_type_t wann_h5r_object(void) { return H5R_OBJECT; }
// Every link name of a group, in name order, in one pass. Asking for names one index at a time
// (H5Lget_name_by_idx) makes HDF5 build and sort the whole link table on every call: listing a
// 4,096-generation run sorted 4,096 names 4,096 times. HDF5 1.12 renamed the iteration
// (H5Literate2, H5L_info2_t); both are handled here so Swift sees one function.
typedef void (*wann_h5_name_sink)(const char *name, void *context);
struct wann_h5_name_sink_call { wann_h5_name_sink sink; void *context; };
#if H5_VERSION_GE(1, 12, 0)
static inline herr_t wann_h5_visit_link(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
#else
static inline herr_t wann_h5_visit_link(hid_t group, const char *name, const H5L_info_t *info, void *data) {
#endif
  (void)group; (void)info;
  struct wann_h5_name_sink_call *call = (struct wann_h5_name_sink_call *)data;
  call->sink(name, call->context);
  return 0;
}
static inline herr_t wann_h5_link_names(hid_t group, wann_h5_name_sink sink, void *context) {
  struct wann_h5_name_sink_call call = { sink, context };
  hsize_t index = 0;
#if H5_VERSION_GE(1, 12, 0)
  return H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, &index, wann_h5_visit_link, &call);
#else
  return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, wann_h5_visit_link, &call);
#endif
}
#endif
