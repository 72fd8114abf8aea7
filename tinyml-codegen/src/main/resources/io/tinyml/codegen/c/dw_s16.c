/*
 * int16x8 depthwise convolution as TFLite's reference integer_ops/depthwise_conv.h for int16
 * activations: output channel oc reads input channel oc / depth multiplier, filter [1][k_h][k_w][out_c],
 * int64 accumulator and bias, per-channel requantization by tm_mbqm64.
 */
/* The first tap k with i0 + d k >= 0. */
TM_INLINE int tm_first_tap(int i0, int d)
{
    return i0 >= 0 ? 0 : (-i0 + d - 1) / d;
}

/* One past the last tap k < taps with i0 + d k < size (at least 0). */
TM_INLINE int tm_end_tap(int i0, int d, int taps, int size)
{
    const int end = size - i0 <= 0 ? 0 : (size - i0 + d - 1) / d;
    return TM_MIN(taps, end);
}

TM_KERNEL void tm_dw_s16(const tm_win_params *p, const int16_t *x, int16_t *y, const int8_t *w,
                         const int64_t *bias, const int32_t *mult, const int32_t *shift)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int out_c = p->out_c, dm = p->out_c / p->in_c;
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int iy0 = oy * p->stride_h - p->pad_h;
            /* the taps inside the input: ky in [ky0, ky1), kx in [kx0, kx1) */
            const int ky0 = tm_first_tap(iy0, p->dil_h), ky1 = tm_end_tap(iy0, p->dil_h, k_h, in_h);
            for (ox = 0; ox < p->out_w; ox++) {
                const int ix0 = ox * p->stride_w - p->pad_w;
                const int kx0 = tm_first_tap(ix0, p->dil_w), kx1 = tm_end_tap(ix0, p->dil_w, k_w, in_w);
                for (oc = 0; oc < out_c; oc++) {
                    const int ic = oc / dm;
                    int64_t acc = 0;
                    int32_t v;
                    for (ky = ky0; ky < ky1; ky++) {
                        /* an index, not a pointer: ix0 may be negative (only valid taps are read) */
                        const long row = ((long)(b * in_h + iy0 + p->dil_h * ky) * in_w + ix0) * in_c + ic;
                        const int8_t *wr = w + ky * k_w * out_c + oc;
                        for (kx = kx0; kx < kx1; kx++) {
                            acc += (int32_t)wr[kx * out_c] * (int32_t)x[row + (long)p->dil_w * kx * in_c];
                        }
                    }
                    if (bias) {
                        acc += bias[oc];
                    }
                    v = tm_mbqm64(acc, mult[oc], (int)shift[oc]) + p->out_off;
                    *y++ = tm_clamp_s16(v, p->act_min, p->act_max);
                }
            }
        }
    }
}
