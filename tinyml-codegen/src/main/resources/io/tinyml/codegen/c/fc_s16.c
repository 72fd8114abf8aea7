/*
 * int16x8 fully connected layer as TFLite's reference integer_ops/fully_connected.h for int16
 * activations: int8 weights (plus the filter offset of per-tensor weights), int64 accumulator and
 * bias, requantization by tm_mbqm64 with one multiplier per output (repeated for per-tensor weights).
 */
TM_KERNEL void tm_fc_s16(const int16_t *x, int16_t *y, const int8_t *w, const int64_t *bias,
                         const int32_t *mult, const int32_t *shift, int batches, int in_n, int out_n,
                         int32_t w_off, int32_t out_off, int32_t act_min, int32_t act_max)
{
    int b, o, i;
    for (b = 0; b < batches; b++) {
        const int16_t *xb = x + (long)b * in_n;
        for (o = 0; o < out_n; o++) {
            const int8_t *wo = w + (long)o * in_n;
            int64_t acc = 0;
            int32_t v;
            if (w_off == 0) {
                acc = tm_dot_s8_s16(wo, xb, in_n);
            } else {
                for (i = 0; i < in_n; i++) {
                    acc += ((int32_t)wo[i] + w_off) * (int32_t)xb[i];
                }
            }
            if (bias) {
                acc += bias[o];
            }
            v = tm_mbqm64(acc, mult[o], (int)shift[o]) + out_off;
            y[(long)b * out_n + o] = tm_clamp_s16(v, act_min, act_max);
        }
    }
}
