/*
 * int16x8 depthwise convolution as TFLite's reference integer_ops/depthwise_conv.h for int16
 * activations: output channel oc reads input channel oc / depth multiplier, filter [1][k_h][k_w][out_c],
 * int64 accumulator and bias, per-channel requantization by tm_mbqm64.
 */
TM_KERNEL void tm_dw_s16(const tm_win_params *p, const int16_t *x, int16_t *y, const int8_t *w,
                         const int64_t *bias, const int32_t *mult, const int32_t *shift)
{
    const int in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, k_h = p->k_h, k_w = p->k_w;
    const int out_c = p->out_c, dm = p->out_c / p->in_c;
    int b, oy, ox, oc, ky, kx;
    for (b = 0; b < p->batches; b++) {
        for (oy = 0; oy < p->out_h; oy++) {
            const int iy0 = oy * p->stride_h - p->pad_h;
            for (ox = 0; ox < p->out_w; ox++) {
                const int ix0 = ox * p->stride_w - p->pad_w;
                for (oc = 0; oc < out_c; oc++) {
                    const int ic = oc / dm;
                    int64_t acc = 0;
                    int32_t v;
                    for (ky = 0; ky < k_h; ky++) {
                        const int iy = iy0 + p->dil_h * ky;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++) {
                            const int ix = ix0 + p->dil_w * kx;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            acc += (int32_t)w[(ky * k_w + kx) * out_c + oc]
                                   * (int32_t)x[((long)(b * in_h + iy) * in_w + ix) * in_c + ic];
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
