/*
 * int16 constant padding of a rank-4 tensor (lower ranks are given leading 1s): the output filled,
 * then the input copied in, one copy per row of the two inner axes when the last axis is not padded.
 */
TM_KERNEL void tm_pad_s16(const int16_t *x, int16_t *y, const int *in_dims, const int *before, const int *out_dims,
                          int16_t value)
{
    int a, b, c;
    long i;
    const long n = (long)out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3];
    const int rows = in_dims[3] == out_dims[3] ? 1 : in_dims[2];
    const long span = rows == 1 ? (long)in_dims[2] * in_dims[3] : in_dims[3];
    for (i = 0; i < n; i++) {
        y[i] = value;
    }
    for (a = 0; a < in_dims[0]; a++) {
        for (b = 0; b < in_dims[1]; b++) {
            for (c = 0; c < rows; c++) {
                const int16_t *src = x + ((long)(a * in_dims[1] + b) * in_dims[2] + c) * in_dims[3];
                int16_t *dst = y + ((long)((a + before[0]) * out_dims[1] + b + before[1]) * out_dims[2] + c + before[2])
                                   * out_dims[3] + before[3];
                memmove(dst, src, (size_t)span * sizeof(int16_t));
            }
        }
    }
}
