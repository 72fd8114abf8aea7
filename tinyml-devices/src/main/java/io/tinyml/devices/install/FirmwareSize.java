package io.tinyml.devices.install;

import io.tinyml.core.target.Target;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The flash and RAM a firmware ELF occupies, read from its section headers as {@code arm-none-eabi-size}
 * counts them: flash = allocated read-only sections + initialised data; RAM = writable sections
 * (data, bss, a statically reserved stack).
 *
 * @param flashBytes bytes stored in flash
 * @param ramBytes bytes of RAM
 */
public record FirmwareSize(long flashBytes, long ramBytes) {
    private static final int SHF_WRITE = 1;
    private static final int SHF_ALLOC = 2;
    private static final int SHT_NOBITS = 8;

    /**
     * Reads an ELF32 little-endian firmware.
     *
     * @param elf the firmware
     * @return its size
     * @throws IOException if it is missing or not an ELF32 little-endian file (one-line message)
     */
    public static FirmwareSize of(Path elf) throws IOException {
        if (!Files.isRegularFile(elf)) {
            throw new IOException("no firmware " + elf);
        }
        byte[] b = Files.readAllBytes(elf);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (b.length < 52 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 1 || b[5] != 1) {
            throw new IOException("expected a 32-bit little-endian ELF firmware, found " + elf);
        }
        long shoff = h.getInt(32) & 0xffffffffL;
        int shentsize = h.getShort(46) & 0xffff;
        int shnum = h.getShort(48) & 0xffff;
        if (shentsize < 40 || shoff + (long) shnum * shentsize > b.length) {
            throw new IOException("truncated ELF section table in " + elf);
        }
        long flash = 0;
        long ram = 0;
        for (int i = 0; i < shnum; i++) {
            int o = (int) (shoff + (long) i * shentsize);
            int type = h.getInt(o + 4);
            int flags = h.getInt(o + 8);
            long size = h.getInt(o + 20) & 0xffffffffL;
            if ((flags & SHF_ALLOC) == 0) {
                continue;
            }
            boolean write = (flags & SHF_WRITE) != 0;
            boolean nobits = type == SHT_NOBITS;
            if (!nobits) {
                flash += size;
            }
            if (write) {
                ram += size;
            }
        }
        return new FirmwareSize(flash, ram);
    }

    /**
     * Checks that the firmware fits a board.
     *
     * @param target the board
     * @throws IOException naming the first budget exceeded, e.g.
     *     "firmware needs 20944 bytes of RAM, hifive1-revb has 16384"
     */
    public void requireFits(Target target) throws IOException {
        if (flashBytes > target.flashBytes()) {
            throw new IOException("firmware needs " + flashBytes + " bytes of flash, " + target.name() + " has "
                    + target.flashBytes());
        }
        if (ramBytes > target.ramBytes()) {
            throw new IOException("firmware needs " + ramBytes + " bytes of RAM, " + target.name() + " has "
                    + target.ramBytes());
        }
    }
}
