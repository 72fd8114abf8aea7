/* int8 element-wise add or subtract of equally shaped tensors (TFLM add/sub semantics). */
TM_KERNEL void tm_addsub_s8(const int8_t *a, const int8_t *b, int8_t *y, int n, int32_t off1, int32_t off2,
                         int32_t out_off, int left_shift, int32_t m1, int s1, int32_t m2, int s2, int32_t mo,
                         int so, int32_t act_min, int32_t act_max, int sub)
{
    int i;
    for (i = 0; i < n; i++) {
        int32_t v1 = (int32_t)((uint32_t)((int32_t)a[i] + off1) << left_shift);
        int32_t v2 = (int32_t)((uint32_t)((int32_t)b[i] + off2) << left_shift);
        int32_t c1 = tm_mbqm(v1, m1, s1);
        int32_t c2 = tm_mbqm(v2, m2, s2);
        int32_t raw = sub ? c1 - c2 : c1 + c2;
        y[i] = tm_clamp_s8(tm_mbqm(raw, mo, so) + out_off, act_min, act_max);
    }
}
