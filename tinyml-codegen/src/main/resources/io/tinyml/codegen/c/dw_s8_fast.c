/*
 * int8 depthwise convolution with a depth multiplier of 1 and channels a multiple of 4: the window
 * bounds are resolved once per output pixel and four channels are accumulated at a time (DSP:
 * SXTB16 + SADD16 + SMLABB/SMLATT; portable C otherwise). Weights are [kh][kw][c].
 */
TM_KERNEL void tm_dw_s8_c4(const tm_win_params *p, const int8_t *x, int8_t *y, const int8_t *w,
                        const int32_t *bias, const int32_t *mult, const int32_t *shift)
{
    /* copied to locals: stores through the int8_t output may alias the parameter block */
    const int q_in_h = p->in_h, q_in_w = p->in_w, q_in_c = p->in_c, q_k_h = p->k_h, q_k_w = p->k_w,
              q_out_h = p->out_h, q_out_w = p->out_w, q_stride_h = p->stride_h, q_stride_w = p->stride_w,
              q_dil_h = p->dil_h, q_dil_w = p->dil_w, q_pad_h = p->pad_h, q_pad_w = p->pad_w,
              q_batches = p->batches;
    const int in_h = q_in_h, in_w = q_in_w, c_n = q_in_c, k_w = q_k_w;
    const int32_t in_off = p->in_off, out_off = p->out_off, act_min = p->act_min, act_max = p->act_max;
    int b, oy, ox, c, ky, kx;
#if TM_DSP
    const int16x2_t off2 = (int16x2_t)(((uint32_t)(uint16_t)in_off << 16) | (uint16_t)in_off);
#endif
    for (b = 0; b < q_batches; b++) {
        for (oy = 0; oy < q_out_h; oy++) {
            const int iy0 = oy * q_stride_h - q_pad_h;
            const int ky0 = iy0 < 0 ? (-iy0 + q_dil_h - 1) / q_dil_h : 0;
            int ky1 = q_k_h;
            while (ky1 > ky0 && iy0 + (ky1 - 1) * q_dil_h >= in_h) {
                ky1--;
            }
            for (ox = 0; ox < q_out_w; ox++) {
                const int ix0 = ox * q_stride_w - q_pad_w;
                const int kx0 = ix0 < 0 ? (-ix0 + q_dil_w - 1) / q_dil_w : 0;
                int kx1 = k_w;
                while (kx1 > kx0 && ix0 + (kx1 - 1) * q_dil_w >= in_w) {
                    kx1--;
                }
                for (c = 0; c < c_n; c += 4) {
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (ky = ky0; ky < ky1; ky++) {
                        const int8_t *xr = x + ((b * in_h + iy0 + ky * q_dil_h) * in_w + ix0) * c_n + c;
                        const int8_t *wr = w + ky * k_w * c_n + c;
                        for (kx = kx0; kx < kx1; kx++) {
                            const int8_t *xp = xr + kx * q_dil_w * c_n;
                            const int8_t *wp = wr + kx * c_n;
#if TM_DSP
                            uint32_t xv = tm_rd32(xp), wv = tm_rd32(wp);
                            int16x2_t xl = __sadd16(__sxtb16(xv), off2), xh = __sadd16(tm_sxtb16_ror8(xv), off2);
                            int16x2_t wl = __sxtb16(wv), wh = tm_sxtb16_ror8(wv);
                            a0 = __smlabb(wl, xl, a0);
                            a2 = __smlatt(wl, xl, a2);
                            a1 = __smlabb(wh, xh, a1);
                            a3 = __smlatt(wh, xh, a3);
#else
                            a0 += (int32_t)wp[0] * ((int32_t)xp[0] + in_off);
                            a1 += (int32_t)wp[1] * ((int32_t)xp[1] + in_off);
                            a2 += (int32_t)wp[2] * ((int32_t)xp[2] + in_off);
                            a3 += (int32_t)wp[3] * ((int32_t)xp[3] + in_off);
#endif
                        }
                    }
                    if (bias) {
                        a0 += bias[c];
                        a1 += bias[c + 1];
                        a2 += bias[c + 2];
                        a3 += bias[c + 3];
                    }
                    y[c] = tm_clamp_s8(tm_requant_s8(a0, mult[c], shift[c]) + out_off, act_min, act_max);
                    y[c + 1] = tm_clamp_s8(tm_requant_s8(a1, mult[c + 1], shift[c + 1]) + out_off, act_min,
                                           act_max);
                    y[c + 2] = tm_clamp_s8(tm_requant_s8(a2, mult[c + 2], shift[c + 2]) + out_off, act_min,
                                           act_max);
                    y[c + 3] = tm_clamp_s8(tm_requant_s8(a3, mult[c + 3], shift[c + 3]) + out_off, act_min,
                                           act_max);
                }
                y += c_n;
            }
        }
    }
}
