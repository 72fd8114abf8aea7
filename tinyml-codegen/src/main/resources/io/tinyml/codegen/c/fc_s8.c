/* int8 fully connected layer, per-tensor or per-channel requantization. */
TM_KERNEL void tm_fc_s8(const int8_t *x, int8_t *y, const int8_t *w, const int32_t *bias,
                     const int32_t *mult, const int32_t *shift, int batches, int in_n, int out_n,
                     int32_t in_off, int32_t w_off, int32_t out_off, int32_t act_min, int32_t act_max,
                     int per_channel)
{
    int b, o, i;
    for (b = 0; b < batches; b++) {
        const int8_t *xb = x + b * in_n;
        for (o = 0; o < out_n; o++) {
            const int8_t *wo = w + o * in_n;
            const int c = per_channel ? o : 0;
            int32_t acc = 0;
            for (i = 0; i < in_n; i++) {
                acc += ((int32_t)wo[i] + w_off) * ((int32_t)xb[i] + in_off);
            }
            if (bias) {
                acc += bias[o];
            }
            acc = tm_mbqm(acc, mult[c], (int)shift[c]) + out_off;
            y[b * out_n + o] = tm_clamp_s8(acc, act_min, act_max);
        }
    }
}
