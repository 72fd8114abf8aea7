/*
 * int16 mean over the middle axis of an [outer, count, inner] view (TFLite Micro's integer mean):
 * int32 sums; with equal input and output parameters the sum divided by count (C truncation),
 * otherwise (sum - zp_in * count) requantized by m, s (1/count folded in), plus zp_out, clamped.
 */
TM_KERNEL void tm_mean_s16(const int16_t *x, int16_t *y, int outer, int count, int inner, int same, int32_t zp_in,
                           int32_t zp_out, int32_t m, int s)
{
    int o, k, i;
    for (o = 0; o < outer; o++) {
        for (i = 0; i < inner; i++) {
            const int16_t *p = x + (long)o * count * inner + i;
            int32_t sum = 0, v;
            for (k = 0; k < count; k++) {
                sum += p[(long)k * inner];
            }
            if (count == 0) {
                v = 0;
            } else if (same) {
                v = sum / count;
            } else {
                v = tm_mbqm((int32_t)((int64_t)sum - (int64_t)zp_in * count), m, s) + zp_out;
                v = TM_MIN(TM_MAX(v, -32768), 32767);
            }
            y[o * inner + i] = (int16_t)v;
        }
    }
}
