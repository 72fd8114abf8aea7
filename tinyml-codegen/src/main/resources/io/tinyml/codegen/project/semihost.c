#include <string.h>
#include "semihost.h"

#if defined(__riscv)
/* RISC-V semihosting: the uncompressed slli/ebreak/srai sequence (16-byte aligned so that it never
 * crosses a page), operation in a0, argument in a1, result in a0 */
int32_t tm_sh_trap(int32_t op, void *arg);
__asm__(".section .text.tm_sh_trap,\"ax\",@progbits\n"
        ".balign 16\n"
        ".globl tm_sh_trap\n"
        "tm_sh_trap:\n"
        ".option push\n"
        ".option norvc\n"
        "slli zero, zero, 0x1f\n"
        "ebreak\n"
        "srai zero, zero, 7\n"
        "ret\n"
        ".option pop\n"
        ".text\n");

static int32_t sh_call(int32_t op, void *arg)
{
    return tm_sh_trap(op, arg);
}
#else
static int32_t sh_call(int32_t op, void *arg)
{
    register int32_t r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}
#endif

int32_t sh_open(const char *path, int32_t mode)
{
    uint32_t a[3];
    a[0] = (uint32_t)path;
    a[1] = (uint32_t)mode;
    a[2] = (uint32_t)strlen(path);
    return sh_call(0x01, a);
}

int32_t sh_close(int32_t fd)
{
    uint32_t a[1];
    a[0] = (uint32_t)fd;
    return sh_call(0x02, a);
}

int32_t sh_write(int32_t fd, const void *buf, uint32_t len)
{
    uint32_t a[3];
    a[0] = (uint32_t)fd;
    a[1] = (uint32_t)buf;
    a[2] = len;
    return sh_call(0x05, a); /* bytes NOT written */
}

int32_t sh_read(int32_t fd, void *buf, uint32_t len)
{
    uint32_t a[3];
    a[0] = (uint32_t)fd;
    a[1] = (uint32_t)buf;
    a[2] = len;
    return sh_call(0x06, a); /* bytes NOT read */
}

int32_t sh_cmdline(char *buf, uint32_t len)
{
    uint32_t a[2];
    a[0] = (uint32_t)buf;
    a[1] = len;
    return sh_call(0x15, a);
}

void sh_write0(const char *s)
{
    sh_call(0x04, (void *)s);
}

void sh_exit(int code)
{
    uint32_t a[2];
    a[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
    a[1] = (uint32_t)code;
    sh_call(0x20, a); /* SYS_EXIT_EXTENDED */
    for (;;) {
    }
}
