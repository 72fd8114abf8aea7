/*
 * int16 softmax over the last axis as TFLite Micro's SoftmaxInt16: differences to the row maximum
 * rescaled so [-65535, 0] spans [-10, 0], exp looked up with interpolation in a 513-entry table,
 * the sum normalised by its leading zeros, inverted through a 513-entry table of 1/(1+x), the
 * products shifted back to Q0.15. Both tables are generated at code generation time as the
 * interpreter generates them.
 */
TM_INLINE int16_t tm_lut_s16(int16_t value, const int16_t *lut)
{
    const int index = 256 + (value >> 7);
    const int offset = value & 0x7f;
    const int16_t base = lut[index];
    const int16_t slope = (int16_t)(lut[index + 1] - lut[index]);
    const int32_t delta = ((int32_t)slope * offset + 64) >> 7;
    return (int16_t)(base + delta);
}

TM_KERNEL void tm_softmax_s16(const int16_t *x, int16_t *y, int outer, int depth, int32_t in_mult, int in_shift,
                              const int16_t *exp_lut, const int16_t *recip_lut)
{
    int i, c;
    for (i = 0; i < outer; i++) {
        const int16_t *xr = x + (long)i * depth;
        int16_t *yr = y + (long)i * depth;
        int32_t max_in_row = -32768, sum = 0, shifted, sym, right, headroom = 0;
        int16_t reciprocal;
        uint32_t u;
        for (c = 0; c < depth; c++) {
            max_in_row = TM_MAX(max_in_row, (int32_t)xr[c]);
        }
        for (c = 0; c < depth; c++) {
            const int32_t scaled = tm_mbqm((int32_t)xr[c] - max_in_row, in_mult, in_shift) + 32767;
            const int16_t e = tm_lut_s16((int16_t)TM_MIN(TM_MAX(scaled, -32768), 32767), exp_lut);
            yr[c] = e;
            sum += e;
        }
        for (u = (uint32_t)sum; headroom < 32 && !(u & 0x80000000u); u <<= 1) {
            headroom++;
        }
        shifted = (int32_t)((((int64_t)sum << (headroom - 1)) + (1 << 13)) >> 14);
        sym = shifted - ((1 << 15) + (1 << 16));
        reciprocal = tm_lut_s16((int16_t)TM_MIN(TM_MAX(sym, -32768), 32767), recip_lut);
        right = 31 - headroom;
        for (c = 0; c < depth; c++) {
            const int32_t r = (int32_t)(((int64_t)yr[c] * reciprocal + ((int64_t)1 << (right - 1))) >> right);
            yr[c] = (int16_t)TM_MIN(TM_MAX(r, 0), 32767);
        }
    }
}
