/*
 * int8 depthwise convolution of a single input channel with a depth multiplier of at most 32 (all
 * outputs of a pixel share one input value per tap): the window bounds are resolved once per pixel
 * and the multiplier's accumulators stay in a small local array.
 */
TM_KERNEL void tm_dw_s8_c1(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                           const int32_t *bias, const int32_t *mult, const int32_t *shift)
{
    const int dm = p->out_c, k_w = p->k_w;
    const int32_t in_off = p->in_off, out_off = p->out_off, act_min = p->act_min, act_max = p->act_max;
    int32_t acc[32];
    int b, oy, ox, m, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int iy0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ox++) {
                const int ix0 = ox * p->stride_w - p->pad_w;
                for (m = 0; m < dm; m++) {
                    acc[m] = bias ? bias[m] : 0;
                }
                for (ky = 0; ky < p->k_h; ky++) {
                    const int iy = iy0 + p->dil_h * ky;
                    if (iy < 0 || iy >= p->in_h) {
                        continue;
                    }
                    for (kx = 0; kx < k_w; kx++) {
                        const int ix = ix0 + p->dil_w * kx;
                        const int8_t *wp = w + (ky * k_w + kx) * dm;
                        int32_t xv;
                        if (ix < 0 || ix >= p->in_w) {
                            continue;
                        }
                        xv = (int32_t)x[(b * p->in_h + iy) * p->in_w + ix] + in_off;
                        for (m = 0; m < dm; m++) {
                            acc[m] += (int32_t)wp[m] * xv;
                        }
                    }
                }
                for (m = 0; m < dm; m++) {
                    y[m] = tm_clamp_s8(tm_mbqm_pos(acc[m], mult[m], shift[m]) + out_off, act_min, act_max);
                }
                y += dm;
            }
        }
    }
}
