/* RV32 startup for QEMU's virt machine (written for this project): stack, .data/.bss init, main().
 * QEMU started with -bios none jumps to the start of RAM (0x80000000), where the linker puts _start. */
#include <stdint.h>
#include "semihost.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);
void tm_rv_start(void);

__asm__(".section .text.start,\"ax\",@progbits\n"
        ".globl _start\n"
        "_start:\n"
        ".option push\n"
        ".option norelax\n"
        "la gp, __global_pointer$\n"
        ".option pop\n"
        "la sp, _estack\n"
        "j tm_rv_start\n"
        ".text\n");

void tm_rv_start(void)
{
    uint32_t *s = &_sidata, *d = &_sdata;
    while (d < &_edata) {
        *d++ = *s++;
    }
    for (d = &_sbss; d < &_ebss;) {
        *d++ = 0;
    }
    sh_exit(main());
}
