/*
 * int16 element-wise add or subtract of equally shaped tensors (TFLite's reference add/sub with a
 * left shift of 15): each input offset and shifted, scaled by its own multiplier, summed, rescaled.
 */
TM_KERNEL void tm_addsub_s16(const int16_t *a, const int16_t *b, int16_t *y, int n, int32_t off1, int32_t off2,
                             int32_t out_off, int left_shift, int32_t m1, int s1, int32_t m2, int s2, int32_t mo,
                             int so, int32_t act_min, int32_t act_max, int sub)
{
    int i;
    for (i = 0; i < n; i++) {
        int32_t v1 = (int32_t)((uint32_t)((int32_t)a[i] + off1) << left_shift);
        int32_t v2 = (int32_t)((uint32_t)((int32_t)b[i] + off2) << left_shift);
        int32_t c1 = tm_mbqm(v1, m1, s1);
        int32_t c2 = tm_mbqm(v2, m2, s2);
        int32_t raw = (int32_t)(sub ? (uint32_t)c1 - (uint32_t)c2 : (uint32_t)c1 + (uint32_t)c2);
        y[i] = tm_clamp_s16(tm_mbqm(raw, mo, so) + out_off, act_min, act_max);
    }
}
