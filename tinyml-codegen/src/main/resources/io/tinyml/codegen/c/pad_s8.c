/* int8 constant padding of a rank-4 tensor (lower ranks are given leading 1s); bytes are copied as they are. */
TM_KERNEL void tm_pad_s8(const int8_t *x, int8_t *y, const int *in_dims, const int *before, const int *out_dims,
                         int8_t value)
{
    int a, b, c;
    const long n = (long)out_dims[0] * out_dims[1] * out_dims[2] * out_dims[3];
    memset(y, (unsigned char)value, (size_t)n);
    for (a = 0; a < in_dims[0]; a++) {
        for (b = 0; b < in_dims[1]; b++) {
            for (c = 0; c < in_dims[2]; c++) {
                const int8_t *src = x + ((long)(a * in_dims[1] + b) * in_dims[2] + c) * in_dims[3];
                int8_t *dst = y + ((long)((a + before[0]) * out_dims[1] + b + before[1]) * out_dims[2] + c + before[2])
                                  * out_dims[3] + before[3];
                memmove(dst, src, (size_t)in_dims[3]);
            }
        }
    }
}
