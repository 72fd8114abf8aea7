package io.tinyml.devices.install;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A way to put a firmware on a board, by the tool that does it. Each knows its program, the package
 * that provides it and the exact command line for a firmware and {@link InstallOptions}.
 */
public enum Installer {
    /** An emulated Cortex-M board: QEMU runs the ELF with its UART on a local TCP port. */
    QEMU("qemu-system-arm", "Debian package qemu-system-arm", "qemu"),
    /** STM32 (and other CMSIS-DAP/ST-LINK boards) through OpenOCD: program, verify, reset. */
    OPENOCD("openocd", "Debian package openocd", "stm32"),
    /** Cortex-M boards through pyOCD. */
    PYOCD("pyocd", "pip package pyocd (pip install pyocd)", "stm32"),
    /** STM32 through ST-LINK's st-flash (a raw .bin at the flash base). */
    STFLASH("st-flash", "Debian package stlink-tools", "stm32"),
    /** ESP32 through esptool (an application .bin at 0x10000). */
    ESPTOOL("esptool", "Debian package esptool (or pip install esptool)", "esp32"),
    /** Arduino boards through arduino-cli (a compiled sketch directory). */
    ARDUINO_CLI("arduino-cli", "arduino-cli from https://arduino.github.io/arduino-cli (not packaged in Debian;"
            + " or npm package arduino-cli)", "arduino"),
    /** RP2040 through picotool (USB, BOOTSEL mode). */
    PICOTOOL("picotool", "Debian package picotool", "rp2040"),
    /** RP2040 by copying a .uf2 onto its BOOTSEL mass-storage drive. */
    UF2_COPY("cp", "Debian package coreutils", "rp2040"),
    /**
     * A Linux-class board (Raspberry Pi, an ARM64/AMD64 box): copies the static harness program over SSH
     * to the destination given as the port ({@code user@host:/path}, with {@link InstallOptions#sshPort()},
     * {@link InstallOptions#identity()}, {@link InstallOptions#knownHosts()}); then reach it with
     * {@link #execAddress} ({@code exec:ssh user@host /path}).
     */
    SCP("scp", "Debian package openssh-client", "linux");

    private final String tool;
    private final String provider;
    private final String family;

    Installer(String tool, String provider, String family) {
        this.tool = tool;
        this.provider = provider;
        this.family = family;
    }

    /** @return the program this installer runs */
    public String tool() {
        return tool;
    }

    /** @return the package that provides the program, as a user would install it */
    public String provider() {
        return provider;
    }

    /** @return the board family: qemu, stm32, esp32, arduino, rp2040 or linux */
    public String family() {
        return family;
    }

    /** @return the name as written on the command line ({@code uf2-copy}) */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a name as written on the command line.
     *
     * @param name e.g. {@code openocd}, {@code uf2-copy}
     * @return the installer
     * @throws IllegalArgumentException if unknown, listing the known names
     */
    public static Installer parse(String name) {
        for (Installer i : values()) {
            if (i.cliName().equalsIgnoreCase(name)) {
                return i;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Installer i : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(i.cliName());
        }
        throw new IllegalArgumentException("expected an installer " + known + ", found '" + name + "'");
    }

    /**
     * The exact command that installs a firmware, with the tool as found on the PATH (or its bare name).
     *
     * @param toolPath the tool's path
     * @param firmware the firmware file (.elf for QEMU/OpenOCD/pyOCD, .bin for st-flash/esptool, a sketch
     *     build directory for arduino-cli, .uf2 or .elf for picotool, .uf2 for UF2 copy)
     * @param o where and how
     * @return the command and its arguments
     * @throws IllegalArgumentException if a needed option (a serial port) is missing
     */
    public List<String> command(String toolPath, Path firmware, InstallOptions o) {
        String fw = firmware.toString();
        return switch (this) {
            case QEMU -> List.of(toolPath, "-M", o.chipOr("mps2-an386"), "-nographic", "-monitor", "none", "-serial",
                    "tcp:127.0.0.1:" + o.tcpPort() + ",server=on,wait=on,nodelay=on", "-kernel", fw);
            case OPENOCD -> List.of(toolPath, "-f", "interface/stlink.cfg", "-f",
                    "target/" + o.chipOr("stm32f4x") + ".cfg", "-c", "program " + fw + " verify reset exit");
            case PYOCD -> List.of(toolPath, "flash", "--target", o.chipOr("stm32f411re"), fw);
            case STFLASH -> List.of(toolPath, "--reset", "write", fw, "0x08000000");
            case ESPTOOL -> List.of(toolPath, "--chip", o.chipOr("esp32"), "--port", o.requirePort(this), "--baud",
                    "460800", "write_flash", "0x10000", fw);
            case ARDUINO_CLI -> List.of(toolPath, "upload", "--port", o.requirePort(this), "--fqbn",
                    o.chipOr("arduino:mbed_nano:nano33ble"), "--input-dir", fw);
            case PICOTOOL -> List.of(toolPath, "load", "--execute", fw);
            case UF2_COPY -> List.of(toolPath, fw, o.mountPoint().resolve(firmware.getFileName()).toString());
            case SCP -> {
                List<String> c = new ArrayList<>(List.of(toolPath));
                c.addAll(o.sshOptions("-P"));
                c.addAll(List.of(fw, o.requirePort(this)));
                yield List.copyOf(c);
            }
        };
    }

    /**
     * For {@link #SCP}: the command that runs the copied program on the board over ssh, with the same port,
     * key and known-hosts options as the copy. A destination ending in {@code /} (or {@code :}) is a directory
     * that receives the program under its own file name.
     *
     * @param sshPath the ssh program's path (or {@code ssh})
     * @param program the local program that was copied
     * @param o the options of the copy (the destination {@code user@host:/path} is the port)
     * @return ssh and its arguments
     * @throws IllegalArgumentException if this is not {@link #SCP} or the destination is not {@code HOST:PATH}
     */
    public List<String> remoteCommand(String sshPath, Path program, InstallOptions o) {
        if (this != SCP) {
            throw new IllegalArgumentException("expected the scp installer for a remote command, found " + cliName());
        }
        String dest = o.requirePort(this);
        int colon = dest.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected an scp destination user@host:/path, found '" + dest + "'");
        }
        String path = dest.substring(colon + 1);
        if (path.isEmpty() || path.endsWith("/")) {
            path += program.getFileName();
        }
        List<String> c = new ArrayList<>(List.of(sshPath));
        c.addAll(o.sshOptions("-p"));
        c.addAll(List.of(dest.substring(0, colon), path));
        return List.copyOf(c);
    }

    /**
     * For {@link #SCP}: the transport address ({@code exec:ssh ...}) of the copied program, for
     * {@code Transports.open} and {@code tinyml device bench}.
     *
     * @param program the local program that was copied
     * @param o the options of the copy
     * @return {@code exec:ssh OPTIONS user@host /path/program}
     * @throws IllegalArgumentException as {@link #remoteCommand}, or if an argument holds whitespace (an
     *     {@code exec:} address splits on it)
     */
    public String execAddress(Path program, InstallOptions o) {
        List<String> c = remoteCommand("ssh", program, o);
        for (String a : c) {
            if (a.isEmpty() || a.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("expected ssh arguments without spaces for an exec: address, found '"
                        + a + "'");
            }
        }
        return "exec:" + String.join(" ", c);
    }
}
