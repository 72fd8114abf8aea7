package io.tinyml.cli;

import io.tinyml.devices.harness.DeviceClient;
import io.tinyml.devices.harness.HarnessOptions;
import io.tinyml.devices.registry.DeviceRecord;
import io.tinyml.devices.registry.DeviceRegistry;
import io.tinyml.devices.transport.Transport;
import io.tinyml.devices.transport.Transports;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** Resolves a DEVICE argument (registered name, serial port path or tcp:HOST:PORT) and connects to it. */
final class DeviceTarget {
    private DeviceTarget() {
    }

    /**
     * Resolves DEVICE to an address and baud rate.
     *
     * @param device the argument
     * @param baud the --baud option, or 0 for the registered or default rate
     * @return the registered record or one made for the address
     */
    static DeviceRecord resolve(String device, int baud) throws IOException {
        Optional<DeviceRecord> r = DeviceRegistry.open().get(device);
        if (r.isPresent()) {
            DeviceRecord d = r.get();
            return baud > 0 ? new DeviceRecord(d.name(), d.address(), baud, d.board()) : d;
        }
        if (Transports.isAddress(device)) {
            return new DeviceRecord("unregistered", device, baud > 0 ? baud : 115200, "");
        }
        throw new BadInputException("unknown device '" + device + "': not registered (see 'tinyml device list'),"
                + " not tcp:HOST:PORT, exec:PROGRAM or a serial port path");
    }

    static Transport open(DeviceRecord d) throws IOException {
        return Transports.open(d.address(), d.baud(), Duration.ofSeconds(5));
    }

    static DeviceClient connect(DeviceRecord d, HarnessOptions options) throws IOException {
        Transport t = open(d);
        try {
            return DeviceClient.connect(t, options);
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    static HarnessOptions options(int timeoutSeconds) {
        if (timeoutSeconds <= 0) {
            throw new BadInputException("expected --timeout > 0 seconds, found " + timeoutSeconds);
        }
        return HarnessOptions.defaults().withCommandTimeout(Duration.ofSeconds(timeoutSeconds));
    }
}
