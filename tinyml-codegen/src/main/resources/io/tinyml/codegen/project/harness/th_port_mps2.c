/*
 * th_port.h for the Arm MPS2 FPGA images under QEMU (AN386 Cortex-M4, AN500 Cortex-M7), written for
 * this project from the board's memory map: CMSDK APB UART0 at 0x40004000 (DATA +0x00, STATE +0x04:
 * bit0 TX full / bit1 RX full, CTRL +0x08: bit0 TX enable / bit1 RX enable, BAUDDIV +0x10), system
 * clock 25 MHz, and the Cortex-M SysTick (24-bit, counting down at the core clock) extended to
 * 64 bits by its interrupt.
 */
#include <stdint.h>
#include "th_port.h"

#ifndef TH_CPU_HZ
#define TH_CPU_HZ 25000000u
#endif
#define UART0 0x40004000u
#define REG(a) (*(volatile uint32_t *)(a))
#define UART_DATA REG(UART0 + 0x00u)
#define UART_STATE REG(UART0 + 0x04u)
#define UART_CTRL REG(UART0 + 0x08u)
#define UART_BAUDDIV REG(UART0 + 0x10u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SYST_MAX 0x00FFFFFFu

static volatile uint32_t systick_wraps;

/* Overrides the weak default of startup.c: one more 2^24 core cycles have passed. */
void SysTick_Handler(void)
{
    systick_wraps++;
}

void th_port_init(void)
{
    UART_BAUDDIV = TH_CPU_HZ / 115200u;
    UART_CTRL = 0x3u;
    SYST_RVR = SYST_MAX;
    SYST_CVR = 0u;
    SYST_CSR = 0x7u; /* enable, interrupt on wrap, core clock */
}

int th_port_getc(void)
{
    if (UART_STATE & 0x2u) {
        return (int)(UART_DATA & 0xFFu);
    }
    return -1;
}

void th_port_putc(char c)
{
    while (UART_STATE & 0x1u) {
    }
    UART_DATA = (uint8_t)c;
}

uint64_t th_port_micros(void)
{
    uint32_t w, v;
    do {
        w = systick_wraps;
        v = SYST_CVR;
    } while (w != systick_wraps);
    return ((((uint64_t)w) << 24) | (SYST_MAX - v)) / (TH_CPU_HZ / 1000000u);
}
