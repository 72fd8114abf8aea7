/* Firmware demo for QEMU: reads IN.bin, runs one inference, writes OUT.bin through semihosting.
 * Command line (semihosting): firmware IN.bin OUT.bin */
#include <stdint.h>
#include <string.h>
#include "semihost.h"
#include "@P@_model.h"

static const uint32_t in_bytes[] = {@IN_BYTES@};
static const uint32_t out_bytes[] = {@OUT_BYTES@};

/* Markers for instruction counting: the counter starts at the first, stops at the second. */
void __attribute__((noinline)) tinyml_mark_begin(void)
{
    __asm__ volatile("" ::: "memory");
}

void __attribute__((noinline)) tinyml_mark_end(void)
{
    __asm__ volatile("" ::: "memory");
}

#ifdef TINYML_PROFILE
/* Per-node markers of the profiling build (the QEMU plugin counts the instructions between them). */
void __attribute__((noinline)) tinyml_profile_begin(int node)
{
    __asm__ volatile("" : : "r"(node) : "memory");
}

void __attribute__((noinline)) tinyml_profile_end(int node)
{
    __asm__ volatile("" : : "r"(node) : "memory");
}
#endif

static char *next_arg(char **s)
{
    char *a;
    while (**s == ' ') {
        (*s)++;
    }
    a = *s;
    while (**s && **s != ' ') {
        (*s)++;
    }
    if (**s) {
        *(*s)++ = 0;
    }
    return a;
}

int main(void)
{
    const void *inputs[@NI@];
    void *outputs[@NO@];
    char cmdline[256]; /* on the stack: the firmware's static RAM is the model's alone */
    char *s = cmdline, *in_path, *out_path;
    int32_t fd;
    int i, rc;
    if (sh_cmdline(cmdline, sizeof cmdline) != 0) {
        sh_write0("no semihosting command line\n");
        return 2;
    }
    next_arg(&s);
    in_path = next_arg(&s);
    out_path = next_arg(&s);
    /* inputs are read straight into the arena and outputs used in place: no copies, no buffers */
    for (i = 0; i < @NI@; i++) {
        inputs[i] = @P@_input(i);
    }
    for (i = 0; i < @NO@; i++) {
        outputs[i] = @P@_output(i);
    }
    if (*in_path) {
        fd = sh_open(in_path, 1); /* "rb" */
        for (i = 0; i < @NI@; i++) {
            if (fd < 0 || sh_read(fd, @P@_input(i), in_bytes[i]) != 0) {
                sh_write0("cannot read input file\n");
                return 1;
            }
        }
        sh_close(fd);
    }
    tinyml_mark_begin();
    rc = @P@_invoke(inputs, outputs);
    tinyml_mark_end();
    if (rc != 0) {
        sh_write0("invoke failed\n");
        return 1;
    }
    if (*out_path) {
        fd = sh_open(out_path, 5); /* "wb" */
        for (i = 0; i < @NO@; i++) {
            if (fd < 0 || sh_write(fd, @P@_output(i), out_bytes[i]) != 0) {
                sh_write0("cannot write output file\n");
                return 1;
            }
        }
        sh_close(fd);
    }
    return 0;
}
