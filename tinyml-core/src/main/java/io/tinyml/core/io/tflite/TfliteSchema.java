package io.tinyml.core.io.tflite;

import io.tinyml.core.ir.DataType;

/**
 * Facts of the TFLite flatbuffer schema (version 3) that the reader and writer need: field ids of
 * each table, enum values and builtin operator names. Written by hand from the published schema;
 * not generated code. Thread-safe (constants only).
 */
final class TfliteSchema {
    private TfliteSchema() {
    }

    /** File identifier at byte offset 4. */
    static final String IDENTIFIER = "TFL3";
    /** The only schema version read and written. */
    static final int VERSION = 3;

    // Model
    static final int MODEL_VERSION = 0;
    static final int MODEL_OPERATOR_CODES = 1;
    static final int MODEL_SUBGRAPHS = 2;
    static final int MODEL_DESCRIPTION = 3;
    static final int MODEL_BUFFERS = 4;
    static final int MODEL_METADATA = 6;
    static final int MODEL_FIELDS = 8;

    // OperatorCode
    static final int OPCODE_DEPRECATED_BUILTIN_CODE = 0;
    static final int OPCODE_CUSTOM_CODE = 1;
    static final int OPCODE_VERSION = 2;
    static final int OPCODE_BUILTIN_CODE = 3;
    static final int OPCODE_FIELDS = 4;

    // SubGraph
    static final int SUBGRAPH_TENSORS = 0;
    static final int SUBGRAPH_INPUTS = 1;
    static final int SUBGRAPH_OUTPUTS = 2;
    static final int SUBGRAPH_OPERATORS = 3;
    static final int SUBGRAPH_NAME = 4;
    static final int SUBGRAPH_FIELDS = 5;

    // Tensor
    static final int TENSOR_SHAPE = 0;
    static final int TENSOR_TYPE = 1;
    static final int TENSOR_BUFFER = 2;
    static final int TENSOR_NAME = 3;
    static final int TENSOR_QUANTIZATION = 4;
    static final int TENSOR_IS_VARIABLE = 5;
    static final int TENSOR_SPARSITY = 6;
    static final int TENSOR_FIELDS = 7;

    // QuantizationParameters
    static final int QUANT_SCALE = 2;
    static final int QUANT_ZERO_POINT = 3;
    static final int QUANT_DETAILS_TYPE = 4;
    static final int QUANT_QUANTIZED_DIMENSION = 6;
    static final int QUANT_FIELDS = 7;

    // Operator
    static final int OP_OPCODE_INDEX = 0;
    static final int OP_INPUTS = 1;
    static final int OP_OUTPUTS = 2;
    static final int OP_BUILTIN_OPTIONS_TYPE = 3;
    static final int OP_BUILTIN_OPTIONS = 4;
    static final int OP_FIELDS = 5;

    // Buffer
    static final int BUFFER_DATA = 0;
    static final int BUFFER_OFFSET = 1;
    static final int BUFFER_SIZE = 2;
    static final int BUFFER_FIELDS = 3;

    // Metadata
    static final int METADATA_NAME = 0;
    static final int METADATA_BUFFER = 1;
    static final int METADATA_FIELDS = 2;

    // BuiltinOptions union type values and the field ids of the option tables used.
    static final int OPT_CONV_2D = 1;             // padding 0, stride_w 1, stride_h 2, act 3, dil_w 4, dil_h 5
    static final int OPT_DEPTHWISE_CONV_2D = 2;   // padding 0, stride_w 1, stride_h 2, depth_mult 3, act 4, dil_w 5, dil_h 6
    static final int OPT_POOL_2D = 5;             // padding 0, stride_w 1, stride_h 2, filter_w 3, filter_h 4, act 5
    static final int OPT_FULLY_CONNECTED = 8;     // act 0, weights_format 1, keep_num_dims 2, asymmetric_quantize_inputs 3
    static final int OPT_SOFTMAX = 9;             // beta 0
    static final int OPT_CONCATENATION = 10;      // axis 0, act 1
    static final int OPT_ADD = 11;                // act 0, pot_scale_int16 1
    static final int OPT_RESHAPE = 17;            // new_shape 0
    static final int OPT_MUL = 21;                // act 0
    static final int OPT_PAD = 22;
    static final int OPT_TRANSPOSE = 26;
    static final int OPT_REDUCER = 27;            // keep_dims 0
    static final int OPT_SUB = 28;                // act 0, pot_scale_int16 1
    static final int OPT_SQUEEZE = 30;            // squeeze_dims 0
    static final int OPT_DEQUANTIZE = 38;
    static final int OPT_PADV2 = 43;
    static final int OPT_EXPAND_DIMS = 52;
    static final int OPT_LEAKY_RELU = 75;         // alpha 0
    static final int OPT_QUANTIZE = 89;
    static final int OPT_HARD_SWISH = 91;

    // BuiltinOperator values used here.
    static final int ADD = 0;
    static final int AVERAGE_POOL_2D = 1;
    static final int CONCATENATION = 2;
    static final int CONV_2D = 3;
    static final int DEPTHWISE_CONV_2D = 4;
    static final int DEQUANTIZE = 6;
    static final int FULLY_CONNECTED = 9;
    static final int LOGISTIC = 14;
    static final int MAX_POOL_2D = 17;
    static final int MUL = 18;
    static final int RELU = 19;
    static final int RELU_N1_TO_1 = 20;
    static final int RELU6 = 21;
    static final int RESHAPE = 22;
    static final int SOFTMAX = 25;
    static final int TANH = 28;
    static final int LOG_SOFTMAX = 50;
    static final int CUSTOM = 32;
    static final int PAD = 34;
    static final int TRANSPOSE = 39;
    static final int MEAN = 40;
    static final int SUB = 41;
    static final int SQUEEZE = 43;
    static final int PADV2 = 60;
    static final int EXPAND_DIMS = 70;
    static final int LEAKY_RELU = 98;
    static final int QUANTIZE = 114;
    static final int HARD_SWISH = 117;
    static final int PLACEHOLDER_FOR_GREATER_OP_CODES = 127;
    static final int RELU_0_TO_1 = 152;

    // ActivationFunctionType
    static final int ACT_NONE = 0;
    static final int ACT_RELU = 1;
    static final int ACT_RELU_N1_TO_1 = 2;
    static final int ACT_RELU6 = 3;
    static final int ACT_TANH = 4;
    static final int ACT_SIGN_BIT = 5;

    // Padding
    static final int PADDING_SAME = 0;
    static final int PADDING_VALID = 1;

    private static final String[] BUILTIN_NAMES = {
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
        "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION",
        "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL",
        "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF",
        "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
        "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN",
        "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN",
        "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU",
        "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
        "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
        "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
        "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
        "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR",
        "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2",
        "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE",
        "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4",
        "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL",
        "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG",
        "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL",
        "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS",
        "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE",
        "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2",
        "UNSORTED_SEGMENT_MIN", "SIGN",
    };

    private static final String[] TYPE_NAMES = {
        "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8",
        "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16",
    };

    /**
     * Returns the schema name of a builtin operator code, or {@code BUILTIN_<code>} for codes this
     * table does not know.
     */
    static String builtinName(int code) {
        return code >= 0 && code < BUILTIN_NAMES.length ? BUILTIN_NAMES[code] : "BUILTIN_" + code;
    }

    /** Returns the schema name of a tensor type code, or {@code TYPE_<code>}. */
    static String typeName(int code) {
        return code >= 0 && code < TYPE_NAMES.length ? TYPE_NAMES[code] : "TYPE_" + code;
    }

    /** Tells whether a tensor type code exists in the schema. */
    static boolean isKnownType(int code) {
        return code >= 0 && code < TYPE_NAMES.length;
    }

    /** Maps a schema tensor type to the IR's, or null when the IR has no such type. */
    static DataType dataType(int code) {
        return switch (code) {
            case 0 -> DataType.FLOAT32;
            case 1 -> DataType.FLOAT16;
            case 2 -> DataType.INT32;
            case 3 -> DataType.UINT8;
            case 4 -> DataType.INT64;
            case 6 -> DataType.BOOL;
            case 7 -> DataType.INT16;
            case 9 -> DataType.INT8;
            default -> null;
        };
    }

    /** Maps an IR data type to the schema's tensor type code. */
    static byte typeCode(DataType t) {
        return switch (t) {
            case FLOAT32 -> 0;
            case FLOAT16 -> 1;
            case INT32 -> 2;
            case UINT8 -> 3;
            case INT64 -> 4;
            case BOOL -> 6;
            case INT16 -> 7;
            case INT8 -> 9;
        };
    }
}
