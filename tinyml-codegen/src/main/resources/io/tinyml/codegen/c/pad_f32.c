/* float32 constant padding of a rank-4 tensor (lower ranks are given leading 1s). */
TM_KERNEL void tm_pad_f32(const float *x, float *y, const int *in_dims, const int *before, const int *out_dims,
                          float value)
{
    int i, a, b, c;
    const int n = out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3];
    for (i = 0; i < n; i++) {
        y[i] = value;
    }
    for (a = 0; a < in_dims[0]; a++) {
        for (b = 0; b < in_dims[1]; b++) {
            for (c = 0; c < in_dims[2]; c++) {
                const float *src = x + ((a * in_dims[1] + b) * in_dims[2] + c) * in_dims[3];
                float *dst = y + (((a + before[0]) * out_dims[1] + b + before[1]) * out_dims[2] + c + before[2])
                                 * out_dims[3] + before[3];
                memcpy(dst, src, (size_t)in_dims[3] * sizeof(float));
            }
        }
    }
}
