/**
 * Raw ONNX Runtime C API definitions for Deno FFI (layer 1 of 3).
 *
 * `libonnxruntime` exports a single symbol, `OrtGetApiBase`. Everything else is reached through
 * function-pointer tables: `OrtApiBase` (two entries) and `OrtApi` (one `void*` per slot, 8 bytes
 * each on 64-bit Linux). The slot indices below come from `/work/shared/ORT_API.md` (checked
 * against the released `onnxruntime_c_api.h` of 1.18–1.29; the table is append-only, so an index
 * never changes between releases).
 *
 * Nothing here is safe to call directly: `mod.ts` wraps it.
 *
 * @module
 */

/** The symbols `Deno.dlopen` binds from `libonnxruntime.so.1`. */
export const symbols = {
  OrtGetApiBase: {
    parameters: [],
    result: "pointer", // const OrtApiBase *
  },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The `OrtApi` version requested: the lowest one that has every slot in {@linkcode ortApi}, so that
 * older system libraries (ORT >= 1.5) still load.
 */
export const ORT_API_VERSION = 5;

/** The `OrtApi` version that has `GetBuildInfoString` (slot 254, ORT >= 1.15). */
export const ORT_API_VERSION_BUILD_INFO = 15;

/** An entry of a function-pointer table: its byte offset, and how to call it. */
export interface OrtTableEntry extends Deno.ForeignFunction {
  /** Byte offset of the function pointer in its table. */
  readonly offset: number;
}

/** `struct OrtApiBase`: two function pointers. */
export const ortApiBase = {
  GetApi: {
    offset: 0,
    parameters: [
      "u32", // uint32_t version
    ],
    result: "pointer", // const OrtApi * (NULL when the library is older than `version`)
  },
  GetVersionString: {
    offset: 8,
    parameters: [],
    result: "pointer", // const char * (static storage)
  },
} as const satisfies Record<string, OrtTableEntry>;

/** An `OrtApi` slot: its index in the table (byte offset = index * 8), and how to call it. */
export interface OrtApiSlot extends Deno.ForeignFunction {
  /** Index of the function pointer in `OrtApi`. */
  readonly index: number;
}

/**
 * The `OrtApi` slots the binding uses. Functions returning `OrtStatus *` return NULL on success;
 * a non-NULL status must go through `check()` (which releases it).
 */
export const ortApi = {
  CreateStatus: {
    index: 0,
    parameters: [
      "i32", // OrtErrorCode code
      "buffer", // const char *msg
    ],
    result: "pointer", // OrtStatus *
  },
  GetErrorCode: {
    index: 1,
    parameters: [
      "pointer", // const OrtStatus *status
    ],
    result: "i32", // OrtErrorCode
  },
  GetErrorMessage: {
    index: 2,
    parameters: [
      "pointer", // const OrtStatus *status
    ],
    result: "pointer", // const char * (owned by the status)
  },
  CreateEnv: {
    index: 3,
    parameters: [
      "i32", // OrtLoggingLevel log_severity_level
      "buffer", // const char *logid
      "buffer", // OrtEnv **out
    ],
    result: "pointer", // OrtStatus *
  },
  DisableTelemetryEvents: {
    index: 6,
    parameters: [
      "pointer", // const OrtEnv *env
    ],
    result: "pointer", // OrtStatus *
  },
  CreateSession: {
    index: 7,
    parameters: [
      "pointer", // const OrtEnv *env
      "buffer", // const ORTCHAR_T *model_path (char on Linux)
      "pointer", // const OrtSessionOptions *options
      "buffer", // OrtSession **out
    ],
    result: "pointer", // OrtStatus *
  },
  CreateSessionFromArray: {
    index: 8,
    parameters: [
      "pointer", // const OrtEnv *env
      "buffer", // const void *model_data
      "usize", // size_t model_data_length
      "pointer", // const OrtSessionOptions *options
      "buffer", // OrtSession **out
    ],
    result: "pointer", // OrtStatus *
  },
  /**
   * `CreateSession` again, called on a Deno worker thread: the call returns a `Promise`. Every
   * buffer passed must stay referenced, and unmoved, until it settles.
   */
  CreateSessionNonblocking: {
    index: 7,
    parameters: [
      "pointer", // const OrtEnv *env
      "buffer", // const ORTCHAR_T *model_path (char on Linux)
      "pointer", // const OrtSessionOptions *options
      "buffer", // OrtSession **out
    ],
    result: "pointer", // OrtStatus *
    nonblocking: true,
  },
  /** `CreateSessionFromArray` again, on a Deno worker thread (as `CreateSessionNonblocking`). */
  CreateSessionFromArrayNonblocking: {
    index: 8,
    parameters: [
      "pointer", // const OrtEnv *env
      "buffer", // const void *model_data
      "usize", // size_t model_data_length
      "pointer", // const OrtSessionOptions *options
      "buffer", // OrtSession **out
    ],
    result: "pointer", // OrtStatus *
    nonblocking: true,
  },
  Run: {
    index: 9,
    parameters: [
      "pointer", // OrtSession *session
      "pointer", // const OrtRunOptions *run_options (nullable)
      "buffer", // const char *const *input_names
      "buffer", // const OrtValue *const *inputs
      "usize", // size_t input_len
      "buffer", // const char *const *output_names
      "usize", // size_t output_names_len
      "buffer", // OrtValue **outputs
    ],
    result: "pointer", // OrtStatus *
  },
  /** `Run` again, called on a Deno worker thread: the call returns a `Promise`. */
  RunNonblocking: {
    index: 9,
    parameters: [
      "pointer", // OrtSession *session
      "pointer", // const OrtRunOptions *run_options (nullable)
      "buffer", // const char *const *input_names
      "buffer", // const OrtValue *const *inputs
      "usize", // size_t input_len
      "buffer", // const char *const *output_names
      "usize", // size_t output_names_len
      "buffer", // OrtValue **outputs
    ],
    result: "pointer", // OrtStatus *
    nonblocking: true,
  },
  CreateSessionOptions: {
    index: 10,
    parameters: [
      "buffer", // OrtSessionOptions **options
    ],
    result: "pointer", // OrtStatus *
  },
  SetSessionExecutionMode: {
    index: 13,
    parameters: [
      "pointer", // OrtSessionOptions *options
      "i32", // ExecutionMode execution_mode (ORT_SEQUENTIAL = 0)
    ],
    result: "pointer", // OrtStatus *
  },
  SetSessionGraphOptimizationLevel: {
    index: 23,
    parameters: [
      "pointer", // OrtSessionOptions *options
      "i32", // GraphOptimizationLevel graph_optimization_level
    ],
    result: "pointer", // OrtStatus *
  },
  SetIntraOpNumThreads: {
    index: 24,
    parameters: [
      "pointer", // OrtSessionOptions *options
      "i32", // int intra_op_num_threads
    ],
    result: "pointer", // OrtStatus *
  },
  SetInterOpNumThreads: {
    index: 25,
    parameters: [
      "pointer", // OrtSessionOptions *options
      "i32", // int inter_op_num_threads
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetInputCount: {
    index: 30,
    parameters: [
      "pointer", // const OrtSession *session
      "buffer", // size_t *out
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetOutputCount: {
    index: 31,
    parameters: [
      "pointer", // const OrtSession *session
      "buffer", // size_t *out
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetInputTypeInfo: {
    index: 33,
    parameters: [
      "pointer", // const OrtSession *session
      "usize", // size_t index
      "buffer", // OrtTypeInfo **type_info
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetOutputTypeInfo: {
    index: 34,
    parameters: [
      "pointer", // const OrtSession *session
      "usize", // size_t index
      "buffer", // OrtTypeInfo **type_info
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetInputName: {
    index: 36,
    parameters: [
      "pointer", // const OrtSession *session
      "usize", // size_t index
      "pointer", // OrtAllocator *allocator
      "buffer", // char **value (free with AllocatorFree)
    ],
    result: "pointer", // OrtStatus *
  },
  SessionGetOutputName: {
    index: 37,
    parameters: [
      "pointer", // const OrtSession *session
      "usize", // size_t index
      "pointer", // OrtAllocator *allocator
      "buffer", // char **value (free with AllocatorFree)
    ],
    result: "pointer", // OrtStatus *
  },
  CreateTensorWithDataAsOrtValue: {
    index: 49,
    parameters: [
      "pointer", // const OrtMemoryInfo *info
      "buffer", // void *p_data (stays the caller's; must outlive the value)
      "usize", // size_t p_data_len (bytes)
      "buffer", // const int64_t *shape
      "usize", // size_t shape_len
      "i32", // ONNXTensorElementDataType type
      "buffer", // OrtValue **out
    ],
    result: "pointer", // OrtStatus *
  },
  CastTypeInfoToTensorInfo: {
    index: 55,
    parameters: [
      "pointer", // const OrtTypeInfo *type_info
      "buffer", // const OrtTensorTypeAndShapeInfo **out (not owned; NULL if not a tensor)
    ],
    result: "pointer", // OrtStatus *
  },
  GetTensorElementType: {
    index: 60,
    parameters: [
      "pointer", // const OrtTensorTypeAndShapeInfo *info
      "buffer", // ONNXTensorElementDataType *out
    ],
    result: "pointer", // OrtStatus *
  },
  GetDimensionsCount: {
    index: 61,
    parameters: [
      "pointer", // const OrtTensorTypeAndShapeInfo *info
      "buffer", // size_t *out
    ],
    result: "pointer", // OrtStatus *
  },
  GetDimensions: {
    index: 62,
    parameters: [
      "pointer", // const OrtTensorTypeAndShapeInfo *info
      "buffer", // int64_t *dim_values
      "usize", // size_t dim_values_length
    ],
    result: "pointer", // OrtStatus *
  },
  CreateCpuMemoryInfo: {
    index: 69,
    parameters: [
      "i32", // OrtAllocatorType type (OrtDeviceAllocator = 0, OrtArenaAllocator = 1)
      "i32", // OrtMemType mem_type (OrtMemTypeDefault = 0)
      "buffer", // OrtMemoryInfo **out
    ],
    result: "pointer", // OrtStatus *
  },
  AllocatorFree: {
    index: 76,
    parameters: [
      "pointer", // OrtAllocator *ort_allocator
      "pointer", // void *p
    ],
    result: "pointer", // OrtStatus *
  },
  GetAllocatorWithDefaultOptions: {
    index: 78,
    parameters: [
      "buffer", // OrtAllocator **out (process-wide: never released)
    ],
    result: "pointer", // OrtStatus *
  },
  ReleaseEnv: {
    index: 92,
    parameters: [
      "pointer", // OrtEnv *input
    ],
    result: "void",
  },
  ReleaseStatus: {
    index: 93,
    parameters: [
      "pointer", // OrtStatus *input
    ],
    result: "void",
  },
  ReleaseMemoryInfo: {
    index: 94,
    parameters: [
      "pointer", // OrtMemoryInfo *input
    ],
    result: "void",
  },
  ReleaseSession: {
    index: 95,
    parameters: [
      "pointer", // OrtSession *input
    ],
    result: "void",
  },
  ReleaseValue: {
    index: 96,
    parameters: [
      "pointer", // OrtValue *input
    ],
    result: "void",
  },
  ReleaseTypeInfo: {
    index: 98,
    parameters: [
      "pointer", // OrtTypeInfo *input
    ],
    result: "void",
  },
  ReleaseSessionOptions: {
    index: 100,
    parameters: [
      "pointer", // OrtSessionOptions *input
    ],
    result: "void",
  },
  AddSessionConfigEntry: {
    index: 130,
    parameters: [
      "pointer", // OrtSessionOptions *options
      "buffer", // const char *config_key
      "buffer", // const char *config_value
    ],
    result: "pointer", // OrtStatus *
  },
} as const satisfies Record<string, OrtApiSlot>;

/** The optional slots of the `OrtApi` version {@linkcode ORT_API_VERSION_BUILD_INFO}. */
export const ortApiBuildInfo = {
  GetBuildInfoString: {
    index: 254,
    parameters: [],
    result: "pointer", // const char * (static storage)
  },
} as const satisfies Record<string, OrtApiSlot>;
