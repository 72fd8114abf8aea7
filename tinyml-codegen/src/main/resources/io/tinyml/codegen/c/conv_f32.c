/*
 * float32 convolution (NHWC input, OHWI filter, groups = in_c / f_in) with a clamp (fused RELU /
 * RELU6 / RELU_N1_TO_1). The float contract of the reference interpreter, bit for bit: each output is
 * the sequential float32 sum, from +0, of its in-bounds products in the order filter-y, filter-x,
 * input channel, then plus the bias, every product and addition rounded to float (built with
 * -ffp-contract=off: no fused multiply-add). Single precision throughout: an FPU-less MCU or a
 * single-precision FPU (Cortex-M4F) would emulate a double sum in software.
 */
TM_KERNEL void tm_conv_f32(const float *x, float *y, const float *w, const float *bias, const int *geo,
                           float lo, float hi)
{
    /* geo: batches, in_h, in_w, in_c, k_h, k_w, f_in, out_h, out_w, out_c, stride_h, stride_w,
       dilation_h, dilation_w, pad_h, pad_w */
    const int batches = geo[0], in_h = geo[1], in_w = geo[2], in_c = geo[3], k_h = geo[4], k_w = geo[5];
    const int f_in = geo[6], out_h = geo[7], out_w = geo[8], out_c = geo[9];
    const int per_group = out_c / (in_c / f_in);
    int b, oy, ox, oc, ky, kx, ic;
    float *o = y;
    for (b = 0; b < batches; b++) {
        for (oy = 0; oy < out_h; oy++) {
            const int iy0 = oy * geo[10] - geo[14];
            for (ox = 0; ox < out_w; ox++) {
                const int ix0 = ox * geo[11] - geo[15];
                for (oc = 0; oc < out_c; oc++) {
                    const int ic_base = (oc / per_group) * f_in;
                    float acc = 0.0f;
                    for (ky = 0; ky < k_h; ky++) {
                        const int iy = iy0 + geo[12] * ky;
                        if (iy < 0 || iy >= in_h) {
                            continue;
                        }
                        for (kx = 0; kx < k_w; kx++) {
                            const int ix = ix0 + geo[13] * kx;
                            const float *xp;
                            const float *wp;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            xp = x + ((b * in_h + iy) * in_w + ix) * in_c + ic_base;
                            wp = w + ((oc * k_h + ky) * k_w + kx) * f_in;
                            for (ic = 0; ic < f_in; ic++) {
                                acc += xp[ic] * wp[ic];
                            }
                        }
                    }
                    if (bias) {
                        acc += bias[oc];
                    }
                    *o++ = acc < lo ? lo : (acc > hi ? hi : acc);
                }
            }
        }
    }
}
