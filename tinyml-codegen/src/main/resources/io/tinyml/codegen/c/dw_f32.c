/*
 * float32 depthwise convolution (NHWC input, 1HWO filter, out_c = in_c * multiplier) with a clamp;
 * the reference interpreter's float contract: the sequential float32 sum from +0 over the in-bounds
 * taps (filter-y, filter-x), then plus the bias, no fused multiply-add (-ffp-contract=off).
 */
TM_KERNEL void tm_dw_f32(const float *x, float *y, const float *w, const float *bias, const int *geo,
                         float lo, float hi)
{
    /* geo as for tm_conv_f32 (f_in unused) */
    const int batches = geo[0], in_h = geo[1], in_w = geo[2], in_c = geo[3], k_h = geo[4], k_w = geo[5];
    const int out_h = geo[7], out_w = geo[8], out_c = geo[9];
    const int mult = out_c / in_c;
    int b, oy, ox, ic, m, ky, kx;
    for (b = 0; b < batches; b++) {
        for (oy = 0; oy < out_h; oy++) {
            const int iy0 = oy * geo[10] - geo[14];
            for (ox = 0; ox < out_w; ox++) {
                const int ix0 = ox * geo[11] - geo[15];
                float *o = y + ((b * out_h + oy) * out_w + ox) * out_c;
                for (ic = 0; ic < in_c; ic++) {
                    for (m = 0; m < mult; m++) {
                        const int oc = ic * mult + m;
                        float acc = 0.0f;
                        for (ky = 0; ky < k_h; ky++) {
                            const int iy = iy0 + geo[12] * ky;
                            if (iy < 0 || iy >= in_h) {
                                continue;
                            }
                            for (kx = 0; kx < k_w; kx++) {
                                const int ix = ix0 + geo[13] * kx;
                                if (ix < 0 || ix >= in_w) {
                                    continue;
                                }
                                acc += x[((b * in_h + iy) * in_w + ix) * in_c + ic]
                                       * w[(ky * k_w + kx) * out_c + oc];
                            }
                        }
                        if (bias) {
                            acc += bias[oc];
                        }
                        o[oc] = acc < lo ? lo : (acc > hi ? hi : acc);
                    }
                }
            }
        }
    }
}
