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
