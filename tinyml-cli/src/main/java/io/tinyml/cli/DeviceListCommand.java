package io.tinyml.cli;

import io.tinyml.core.json.Json;
import io.tinyml.devices.registry.DeviceRecord;
import io.tinyml.devices.registry.DeviceRegistry;
import io.tinyml.devices.transport.SerialPortInfo;
import io.tinyml.devices.transport.SerialTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tinyml device list [--json]}: registered devices and the serial ports of this machine. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists registered devices and this machine's serial ports (with USB vendor:product ids).")
final class DeviceListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<DeviceRecord> devices = DeviceRegistry.open().list();
        List<SerialPortInfo> ports = SerialTransport.list();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Object> d = new ArrayList<>();
            for (DeviceRecord r : devices) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.name());
                m.put("address", r.address());
                m.put("baud", r.baud());
                m.put("board", r.board());
                d.add(m);
            }
            List<Object> p = new ArrayList<>();
            for (SerialPortInfo i : ports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", i.path());
                m.put("description", i.description());
                m.put("usb", i.usbId());
                p.add(m);
            }
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("devices", d);
            all.put("serialPorts", p);
            out.println(Json.write(all));
        } else {
            render(out, devices, ports);
        }
        out.flush();
        return 0;
    }

    /** Prints the devices and ports as text; says so when there are none of either. */
    static void render(PrintWriter out, List<DeviceRecord> devices, List<SerialPortInfo> ports) {
        if (devices.isEmpty()) {
            out.println("no registered devices (add one with 'tinyml device add NAME ADDRESS')");
        } else {
            out.printf("%-20s %-28s %8s  %s%n", "NAME", "ADDRESS", "BAUD", "BOARD");
            for (DeviceRecord r : devices) {
                out.printf("%-20s %-28s %8d  %s%n", r.name(), r.address(), r.baud(), r.board());
            }
        }
        if (ports.isEmpty()) {
            out.println("no serial ports found on this machine");
        } else {
            out.printf("%-20s %-10s %s%n", "SERIAL PORT", "USB ID", "DESCRIPTION");
            for (SerialPortInfo i : ports) {
                out.printf("%-20s %-10s %s%n", i.path(), i.usbId(), i.description());
            }
        }
    }
}
