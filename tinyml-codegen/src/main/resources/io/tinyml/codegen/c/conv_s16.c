/*
 * int16x8 2-D convolution (grouped allowed) as TFLite's reference integer_ops/conv.h for int16
 * activations: zero point 0 inputs, int8 weights, int64 accumulator and bias, per-channel
 * requantization by tm_mbqm64, output zero point added, clamped to the activation range.
 */
TM_KERNEL void tm_conv_s16(const tm_win_params *p, const int16_t *x, int16_t *y, const int8_t *w,
                           const int64_t *bias, const int32_t *mult, const int32_t *shift)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w, f_in = p->f_in;
    const int out_c = p->out_c, per_group = p->out_c / (p->in_c / p->f_in);
    /* one group and no horizontal dilation: each window row is read as one run */
    const int dense = f_in == in_c && p->dil_w == 1;
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int iy0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ox++) {
                const int ix0 = ox * p->stride_w - p->pad_w;
                const int kx0 = TM_MAX(0, -ix0), kx1 = TM_MIN(k_w, in_w - ix0);
                for (oc = 0; oc < out_c; oc++) {
                    const int ic_base = (oc / per_group) * f_in;
                    int64_t acc = 0;
                    int32_t v;
                    for (ky = 0; ky < k_h; ky++) {
                        const int iy = iy0 + p->dil_h * ky;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        if (dense) {
                            /* the window row's valid taps are one contiguous run of x and of w */
                            const int16_t *xp = x + ((long)(b * in_h + iy) * in_w + ix0 + kx0) * in_c;
                            const int8_t *wp = w + ((long)(oc * k_h + ky) * k_w + kx0) * f_in;
                            acc += tm_dot_s8_s16(wp, xp, (kx1 - kx0) * f_in);
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++) {
                            const int ix = ix0 + p->dil_w * kx;
                            const int16_t *xp;
                            const int8_t *wp;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            xp = x + ((long)(b * in_h + iy) * in_w + ix) * in_c + ic_base;
                            wp = w + ((long)(oc * k_h + ky) * k_w + kx) * f_in;
                            acc += tm_dot_s8_s16(wp, xp, f_in);
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
