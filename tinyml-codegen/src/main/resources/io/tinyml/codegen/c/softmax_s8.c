/* int8 softmax over the last axis (TFLM semantics); exp_of_diff[d] = exp of difference -d in Q0.31. */
static int32_t tm_one_over_one_plus_x(int32_t a)
{
    /* gemmlowp one_over_one_plus_x_for_x_in_0_1: Newton-Raphson on the half denominator */
    int64_t sum = (int64_t)a + INT32_MAX;
    int32_t half_den = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
    int32_t xv = 1515870810 + tm_srdhm(half_den, -1010580540);
    int i;
    for (i = 0; i < 3; i++) {
        int32_t hdx = tm_srdhm(half_den, xv);
        int32_t one_minus = (int32_t)(1 << 29) - hdx;
        int32_t prod = tm_srdhm(xv, one_minus);
        /* Rescale from 4 to 2 integer bits: saturating left shift by 2 */
        int32_t r;
        if (prod > ((1 << 29) - 1)) {
            r = INT32_MAX;
        } else if (prod < -((1 << 29) - 1)) {
            r = INT32_MIN;
        } else {
            r = (int32_t)((uint32_t)prod << 2);
        }
        xv = xv + r;
    }
    /* Rescale from 1 to 0 integer bits: saturating left shift by 1 */
    if (xv > ((1 << 30) - 1)) {
        return INT32_MAX;
    }
    if (xv < -((1 << 30) - 1)) {
        return INT32_MIN;
    }
    return (int32_t)((uint32_t)xv << 1);
}

static int tm_clz32(uint32_t v)
{
    int n = 0;
    if (v == 0) {
        return 32;
    }
    while (!(v & 0x80000000u)) {
        v <<= 1;
        n++;
    }
    return n;
}

TM_KERNEL int tm_softmax_s8(const int8_t *x, int8_t *y, int outer, int depth, int32_t diff_min,
                         const int32_t *exp_of_diff)
{
    int i, c;
    for (i = 0; i < outer; i++) {
        const int8_t *xr = x + i * depth;
        int8_t *yr = y + i * depth;
        int32_t max_in_row = -128;
        int32_t sum = 0;
        int headroom, bits_over_unit, exponent;
        int32_t shifted_scale;
        for (c = 0; c < depth; c++) {
            max_in_row = TM_MAX(max_in_row, (int32_t)xr[c]);
        }
        for (c = 0; c < depth; c++) {
            int32_t diff = (int32_t)xr[c] - max_in_row;
            if (diff >= diff_min) {
                sum += tm_rdbpot(exp_of_diff[-diff], 12);
            }
        }
        headroom = tm_clz32((uint32_t)sum);
        bits_over_unit = 12 - headroom;
        shifted_scale = tm_one_over_one_plus_x(
            (int32_t)((headroom >= 32 ? 0u : ((uint32_t)sum << headroom)) - 0x80000000u));
        exponent = bits_over_unit + 31 - 8;
        if (exponent < 0 || exponent > 31) {
            return -1;
        }
        for (c = 0; c < depth; c++) {
            int32_t diff = (int32_t)xr[c] - max_in_row;
            int32_t v = -128;
            if (diff >= diff_min) {
                v = tm_rdbpot(tm_srdhm(shifted_scale, exp_of_diff[-diff]), exponent) - 128;
                v = TM_MAX(TM_MIN(v, 127), -128);
            }
            yr[c] = (int8_t)v;
        }
    }
    return 0;
}
