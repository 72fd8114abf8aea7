/*
 * int8 depthwise convolution of a single input channel with a depth multiplier of at most 32 (all
 * outputs of a pixel share one input value per tap): the window bounds are resolved once per pixel
 * and the multiplier's accumulators stay in a small local array.
 */
TM_KERNEL void tm_dw_s8_c1(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                           const int32_t *bias, const int32_t *mult, const int32_t *shift)
{
    /* copied to locals: stores through the int8_t output may alias the parameter block */
    const int q_in_h = p->in_h, q_in_w = p->in_w, q_k_h = p->k_h, q_k_w = p->k_w, q_out_h = p->out_h,
              q_out_w = p->out_w, q_out_c = p->out_c, q_stride_h = p->stride_h, q_stride_w = p->stride_w,
              q_dil_h = p->dil_h, q_dil_w = p->dil_w, q_pad_h = p->pad_h, q_pad_w = p->pad_w,
              q_batches = p->batches;
    const int dm = q_out_c, k_w = q_k_w;
    const int32_t in_off = p->in_off, out_off = p->out_off, act_min = p->act_min, act_max = p->act_max;
    int32_t acc[32];
    int b, oy, ox, m, ky, kx;
    for (b = 0; b < q_batches; b++) {
        for (oy = 0; oy < q_out_h; oy++) {
            const int iy0 = oy * q_stride_h - q_pad_h;
            for (ox = 0; ox < q_out_w; ox++) {
                const int ix0 = ox * q_stride_w - q_pad_w;
                for (m = 0; m < dm; m++) {
                    acc[m] = bias ? bias[m] : 0;
                }
                for (ky = 0; ky < q_k_h; ky++) {
                    const int iy = iy0 + q_dil_h * ky;
                    if (iy < 0 || iy >= q_in_h) {
                        continue;
                    }
                    for (kx = 0; kx < k_w; kx++) {
                        const int ix = ix0 + q_dil_w * kx;
                        const int8_t *wp = w + (ky * k_w + kx) * dm;
                        int32_t xv;
                        if (ix < 0 || ix >= q_in_w) {
                            continue;
                        }
                        xv = (int32_t)x[(b * q_in_h + iy) * q_in_w + ix] + in_off;
                        for (m = 0; m < dm; m++) {
                            acc[m] += (int32_t)wp[m] * xv;
                        }
                    }
                }
                for (m = 0; m < dm; m++) {
                    y[m] = tm_clamp_s8(tm_requant_s8(acc[m], mult[m], shift[m]) + out_off, act_min, act_max);
                }
                y += dm;
            }
        }
    }
}
