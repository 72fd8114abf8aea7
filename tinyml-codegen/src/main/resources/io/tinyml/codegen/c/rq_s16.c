/*
 * int16x8 requantization (TFLite's MultiplyByQuantizedMultiplier for int64 accumulators): the Q31
 * multiplier reduced to Q15 with rounding (saturating at 0x7FFF), one product, one rounding shift by
 * 15 - shift. |acc| < 2^47 and a Q15 multiplier keep the product within int64.
 */
static inline int32_t tm_mbqm64(int64_t acc, int32_t m, int s)
{
    const int64_t reduced = m < 0x7FFF0000 ? ((int64_t)m + (1 << 15)) >> 16 : 0x7FFF;
    const int total = 15 - s;
    return (int32_t)((acc * reduced + ((int64_t)1 << (total - 1))) >> total);
}

static inline int16_t tm_clamp_s16(int32_t v, int32_t lo, int32_t hi)
{
    return (int16_t)(v < lo ? lo : (v > hi ? hi : v));
}

/*
 * sum of w[i] * x[i] for i < n, exactly: each product is below 2^22 in magnitude, so runs of 256 of
 * them are summed in int32 (below 2^30) before joining the int64 total; unrolled by 4.
 */
TM_INLINE int64_t tm_dot_s8_s16(const int8_t *w, const int16_t *x, int n)
{
    int64_t acc = 0;
    int i = 0;
    while (i < n) {
        const int end = TM_MIN(n, i + 256);
        int32_t s = 0;
        for (; i + 4 <= end; i += 4) {
            s += (int32_t)w[i] * x[i] + (int32_t)w[i + 1] * x[i + 1] + (int32_t)w[i + 2] * x[i + 2]
                 + (int32_t)w[i + 3] * x[i + 3];
        }
        for (; i < end; i++) {
            s += (int32_t)w[i] * x[i];
        }
        acc += s;
    }
    return acc;
}
