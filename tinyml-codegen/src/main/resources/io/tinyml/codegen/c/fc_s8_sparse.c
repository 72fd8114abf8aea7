/*
 * int8 fully connected layer with bitmask-sparse weights (chosen by the generator only where it is
 * smaller and faster than dense). Per output row, words = ceil(in_n / 32) masks, bit i of word j set
 * when input 32 j + i has a non-zero weight; vals holds all rows' non-zero weights in order.
 * bias_f[o] = bias[o] + in_off * sum(row o): the dense kernel's sum in 32-bit wrapping arithmetic.
 */
TM_KERNEL void tm_fc_s8_sparse(const int8_t *x, int8_t *y, const int32_t *mask, const int8_t *vals,
                            const int32_t *bias_f, const int32_t *mult, const int32_t *shift, int batches,
                            int in_n, int out_n, int32_t out_off, int32_t act_min, int32_t act_max,
                            int per_channel)
{
    const int words = (in_n + 31) >> 5;
    int b, o, j;
    for (b = 0; b < batches; b++) {
        const int8_t *xb = x + b * in_n;
        const int32_t *mp = mask;
        const int8_t *vp = vals;
        for (o = 0; o < out_n; o++) {
            const int c = per_channel ? o : 0;
            int32_t acc = bias_f[o];
            for (j = 0; j < words; j++) {
                uint32_t m = (uint32_t)*mp++;
                const int8_t *xw = xb + 32 * j;
                while (m) {
#if defined(__GNUC__) || defined(__clang__)
                    const int i = __builtin_ctz(m);
#else
                    int i = 0;
                    while (!((m >> i) & 1u)) {
                        i++;
                    }
#endif
                    acc += (int32_t)*vp++ * xw[i];
                    m &= m - 1u;
                }
            }
            acc = tm_mbqm(acc, mult[c], (int)shift[c]) + out_off;
            y[b * out_n + o] = tm_clamp_s8(acc, act_min, act_max);
        }
    }
}
