package io.tinyml.devices.install;

import io.tinyml.core.io.ModelIO;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.core.testing.Assets;
import io.tinyml.devices.testing.TestTools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstallationTest {
    private static final Path FW = Path.of("build/fw.elf");

    @Test
    void eachInstallerHasItsExactCommand() {
        InstallOptions o = InstallOptions.defaults().withPort("/dev/ttyUSB0");
        assertEquals(List.of("qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial",
                "tcp:127.0.0.1:4000,server=on,wait=on,nodelay=on", "-kernel", "build/fw.elf"),
                Installer.QEMU.command("qemu-system-arm", FW, o));
        assertEquals(List.of("openocd", "-f", "interface/stlink.cfg", "-f", "target/stm32l4x.cfg", "-c",
                "program build/fw.elf verify reset exit"), Installer.OPENOCD.command("openocd", FW, o.withChip("stm32l4x")));
        assertEquals(List.of("pyocd", "flash", "--target", "stm32f411re", "build/fw.elf"),
                Installer.PYOCD.command("pyocd", FW, o));
        assertEquals(List.of("st-flash", "--reset", "write", "fw.bin", "0x08000000"),
                Installer.STFLASH.command("st-flash", Path.of("fw.bin"), o));
        assertEquals(List.of("esptool", "--chip", "esp32s3", "--port", "/dev/ttyUSB0", "--baud", "460800",
                "write_flash", "0x10000", "app.bin"), Installer.ESPTOOL.command("esptool", Path.of("app.bin"),
                o.withChip("esp32s3")));
        assertEquals(List.of("arduino-cli", "upload", "--port", "/dev/ttyUSB0", "--fqbn", "arduino:mbed_nano:nano33ble",
                "--input-dir", "sketch/build"), Installer.ARDUINO_CLI.command("arduino-cli", Path.of("sketch/build"), o));
        assertEquals(List.of("picotool", "load", "--execute", "fw.uf2"),
                Installer.PICOTOOL.command("picotool", Path.of("fw.uf2"), o));
        assertEquals(List.of("cp", "fw.uf2", "/media/RPI-RP2/fw.uf2"),
                Installer.UF2_COPY.command("cp", Path.of("fw.uf2"), o));
        assertEquals(List.of("scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "harness", "pi@rpi:/tmp/h"),
                Installer.SCP.command("scp", Path.of("harness"), o.withPort("pi@rpi:/tmp/h")));
        InstallOptions ssh = o.withPort("pi@rpi:/opt/").withSshPort(2222).withIdentity("id").withKnownHosts("kh");
        assertEquals(List.of("scp", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-P", "2222", "-i", "id", "-o",
                "UserKnownHostsFile=kh", "harness", "pi@rpi:/opt/"), Installer.SCP.command("scp", Path.of("harness"), ssh));
        assertEquals("exec:ssh -o BatchMode=yes -o ConnectTimeout=10 -p 2222 -i id -o UserKnownHostsFile=kh pi@rpi"
                + " /opt/harness", Installer.SCP.execAddress(Path.of("build/harness"), ssh));
        assertEquals("expected an scp destination user@host:/path, found 'rpi'", assertThrows(
                IllegalArgumentException.class, () -> Installer.SCP.execAddress(FW, o.withPort("rpi"))).getMessage());
        assertEquals("expected ssh arguments without spaces for an exec: address, found 'my key'", assertThrows(
                IllegalArgumentException.class, () -> Installer.SCP.execAddress(FW, ssh.withIdentity("my key")))
                .getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Installer.ESPTOOL.command("esptool", FW, InstallOptions.defaults()));
        assertEquals("expected a serial port for esptool (--port), found none", e.getMessage());
        assertEquals(Installer.UF2_COPY, Installer.parse("uf2-copy"));
        assertThrows(IllegalArgumentException.class, () -> Installer.parse("jtag"));
    }

    @Test
    void aMissingToolIsOneLineNamingItsPackage(@TempDir Path dir) throws Exception {
        Path fw = Files.write(dir.resolve("fw.elf"), new byte[] {1});
        String emptyPath = Files.createDirectory(dir.resolve("bin")).toString();
        for (Installer i : Installer.values()) {
            IOException e = assertThrows(IOException.class, () -> Installation.plan(i, fw,
                    InstallOptions.defaults().withPort("/dev/ttyUSB0"), null, emptyPath));
            assertEquals(i.tool() + " not found on PATH: install " + i.provider(), e.getMessage());
        }
        IOException st = assertThrows(IOException.class, () -> Installation.plan(Installer.STFLASH, fw,
                InstallOptions.defaults(), null, emptyPath));
        assertEquals("st-flash not found on PATH: install Debian package stlink-tools", st.getMessage());
    }

    @Test
    void firmwareSizeAgreesWithArmNoneEabiSizeAndTooLargeIsRefused(@TempDir Path dir) throws Exception {
        Path elf = TestTools.harnessFirmware(ModelIO.read(Assets.require("models/tflite/kws_dscnn_int8.tflite")), dir);
        TestTools.require("arm-none-eabi-size");
        Process p = new ProcessBuilder("arm-none-eabi-size", elf.toString()).redirectErrorStream(true).start();
        String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(0, p.waitFor());
        String[] f = lines[lines.length - 1].strip().split("\\s+");
        long text = Long.parseLong(f[0]);
        long data = Long.parseLong(f[1]);
        long bss = Long.parseLong(f[2]);
        FirmwareSize s = FirmwareSize.of(elf);
        assertEquals(text + data, s.flashBytes());
        assertEquals(data + bss, s.ramBytes());
        s.requireFits(TargetCatalog.get("qemu-mps2-an386"));
        IOException e = assertThrows(IOException.class, () -> Installation.plan(Installer.QEMU, elf,
                InstallOptions.defaults(), TargetCatalog.get("hifive1-revb")));
        assertEquals("firmware needs " + (data + bss) + " bytes of RAM, hifive1-revb has 16384", e.getMessage());
        IOException notElf = assertThrows(IOException.class, () -> FirmwareSize.of(dir.resolve("Makefile")));
        assertTrue(notElf.getMessage().startsWith("expected a 32-bit little-endian ELF firmware"), notElf.getMessage());
    }

    @Test
    void uf2CopyRunsTheRealToolAndAFailureIsOneLine(@TempDir Path dir) throws Exception {
        byte[] image = new byte[512];
        new java.util.Random(3).nextBytes(image);
        Path fw = Files.write(dir.resolve("fw.uf2"), image);
        Path drive = Files.createDirectory(dir.resolve("RPI-RP2"));
        List<String> cmd = Installation.plan(Installer.UF2_COPY, fw, InstallOptions.defaults().withMountPoint(drive), null);
        int[] reports = {0};
        Installation.run(cmd, Duration.ofSeconds(30), (task, done, total) -> reports[0]++);
        assertArrayEquals(image, Files.readAllBytes(drive.resolve("fw.uf2")));
        assertEquals(2, reports[0]);
        List<String> bad = Installation.plan(Installer.UF2_COPY, fw,
                InstallOptions.defaults().withMountPoint(dir.resolve("not-mounted")), null);
        IOException e = assertThrows(IOException.class, () -> Installation.run(bad, Duration.ofSeconds(30),
                (task, done, total) -> { }));
        assertTrue(e.getMessage().startsWith(bad.get(0) + " failed (exit 1): "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
