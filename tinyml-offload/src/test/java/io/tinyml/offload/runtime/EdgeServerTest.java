package io.tinyml.offload.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.testing.Assets;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.profile.ModelSplit;
import io.tinyml.offload.profile.Profiler;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The codec's strictness and the edge server's two doors, over real sockets and real HTTP. */
class EdgeServerTest {

    private static SplitMessage request(Model m, ModelSplit s, byte[] input, long id) throws Exception {
        byte[][] pre = Interpreter.create(s.prefix()).invoke(input);
        byte[][] cut = s.cutValues(pre);
        List<WireTensor> ts = new ArrayList<>();
        for (int i = 0; i < cut.length; i++) {
            ts.add(WireTensor.of(s.sentTensorInfo().get(i), cut[i]));
        }
        return SplitMessage.request(id, "dev-1", "person", s.id(), 1234, 0, ts);
    }

    @Test
    void codecRoundTripsAndRejectsEveryDamagedFrame() throws Exception {
        Model m = TestModels.person();
        ModelSplit s = ModelSplit.afterNodes(m, 27);
        SplitMessage req = request(m, s, new byte[9216], 7);
        byte[] f = MessageCodec.encode(req);
        assertEquals(req, MessageCodec.decode(f));
        // the planner's wire size is the encoder's, to the byte
        SplitMessage sized = SplitMessage.request(7, "d".repeat(10), "m".repeat(10), "s".repeat(10), 0, 0, req.tensors());
        io.tinyml.offload.profile.ModelProfile zero = io.tinyml.offload.profile.Profiler.profile(m,
                io.tinyml.core.estimate.Estimator.builder().setTarget(io.tinyml.core.target.TargetCatalog.get("cortex-m4"))
                        .build(), 1, io.tinyml.core.ProgressListener.NONE);
        assertEquals(MessageCodec.encode(sized).length, MessageCodec.wireFormat(m, 10)
                .messageBytes(zero.costGraph(), s.sentTensors()));
        byte[] crc = f.clone();
        crc[40] ^= 1;
        assertTrue(assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(crc)).getMessage()
                .contains("CRC mismatch"));
        byte[] version = f.clone();
        version[4] = 2;
        fixCrc(version);
        assertTrue(assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(version)).getMessage()
                .contains("version 2 not supported"));
        byte[] magic = f.clone();
        magic[0] = 'X';
        assertTrue(assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(magic)).getMessage()
                .contains("magic"));
        assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(java.util.Arrays.copyOf(f, f.length - 1)));
        // a tensor whose data length disagrees with its shape, with a correct CRC
        byte[] len = f.clone();
        int dataLenPos = f.length - 4 - 2304 - 4;
        len[dataLenPos + 3] ^= 1;
        fixCrc(len);
        assertTrue(assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(len)).getMessage()
                .contains("data bytes"));
        // a stream: an oversized length is rejected, the reader resynchronises on the next frame
        byte[] huge = f.clone();
        java.nio.ByteBuffer.wrap(huge, 8, 4).putInt(-1);
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        bo.write(huge);
        bo.write(f);
        java.io.InputStream in = new java.io.ByteArrayInputStream(bo.toByteArray());
        assertTrue(assertThrows(MalformedMessageException.class, () -> MessageCodec.read(in)).getMessage()
                .contains("exceeds the limit"));
        MessageCodec.SkippedGarbageException skipped = assertThrows(MessageCodec.SkippedGarbageException.class,
                () -> MessageCodec.read(in));
        assertEquals(req, skipped.next(), "the frame after the damaged one is recovered");
        assertEquals(null, MessageCodec.read(in), "clean end of stream");
        // random corruption never decodes silently into something else
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] g = f.clone();
            g[r.nextInt(g.length)] ^= (byte) (1 + r.nextInt(255));
            assertThrows(MalformedMessageException.class, () -> MessageCodec.decode(g));
        }
    }

    private static void fixCrc(byte[] f) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(f, 0, f.length - 4);
        java.nio.ByteBuffer.wrap(f, f.length - 4, 4).putInt((int) c.getValue());
    }

    @Test
    void binaryChannelServesRejectsDamagedFramesAndKeepsTheConnection() throws Exception {
        Model m = TestModels.person();
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build()) {
            edge.register("person", m);
            byte[] input = Profiler.randomInputs(m, new Random(2))[0];
            byte[] whole = Interpreter.create(m).invoke(input)[0];
            ModelSplit s = ModelSplit.afterNodes(m, 20);
            try (TcpTransport t = TcpTransport.connect("127.0.0.1", edge.tcpPort(), Duration.ofSeconds(2),
                    Duration.ofSeconds(20))) {
                SplitMessage req = request(m, s, input, 1);
                byte[] bad = MessageCodec.encode(req);
                bad[100] ^= 0x55;
                t.sendRaw(bad);
                SplitMessage e1 = t.receive();
                assertEquals(SplitMessage.Type.ERROR, e1.type());
                assertTrue(e1.text().contains("CRC mismatch"), e1.text());
                t.sendRaw("garbage!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                t.send(req);
                SplitMessage e2 = t.receive();
                assertEquals(SplitMessage.Type.ERROR, e2.type());
                assertTrue(e2.text().contains("bad magic"), e2.text());
                SplitMessage ok = t.receive();
                assertEquals(SplitMessage.Type.RESULT, ok.type(), ok.text());
                assertArrayEquals(whole, ok.tensors().get(0).data(), "suffix on the edge = whole model");
                t.send(SplitMessage.request(2, "dev-1", "nope", s.id(), 0, 0, req.tensors()));
                assertTrue(t.receive().text().contains("unknown model 'nope'"));
                t.send(SplitMessage.request(3, "dev-1", "person", ModelSplit.afterNodes(m, 19).id(), 0, 0,
                        req.tensors()));
                assertTrue(t.receive().text().contains("expected tensor"), "tensor of another cut is refused");
                t.send(req);
                assertArrayEquals(whole, t.receive().tensors().get(0).data(), "the connection still serves");
            }
            DeviceManager.DeviceStatus d = edge.devices().status().stream().filter(x -> x.deviceId().equals("dev-1"))
                    .findFirst().orElseThrow();
            assertEquals(2, d.requests());
            assertEquals(2, d.rejected());
            long unknownRejected = edge.devices().status().stream().filter(x -> x.deviceId().startsWith("(unknown)"))
                    .mapToLong(DeviceManager.DeviceStatus::rejected).sum();
            assertEquals(2, unknownRejected, "the CRC-damaged frame and the garbage");
        }
    }

    @Test
    void restApiRegistersPlansInfersAndReportsStatus() throws Exception {
        try (EdgeServer edge = EdgeServer.builder().optEdgeRuns(1).build()) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + edge.httpPort();
            byte[] file = Files.readAllBytes(Assets.require("models/tflite/person_detect/person_detect.tflite"));
            HttpResponse<String> reg = http.send(HttpRequest.newBuilder(URI.create(base + "/models/person"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, reg.statusCode(), reg.body());
            assertTrue(reg.body().contains("\"deviceTotalMs\""), reg.body());
            HttpResponse<String> plan = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/models/person/plan?link=ble&bandwidthKbps=10&objective=latency")).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plan.statusCode(), plan.body());
            assertTrue(plan.body().contains("\"kind\":\"DEVICE_ONLY\""), plan.body());
            assertTrue(plan.body().contains("\"splitId\":\"nodes:0-30\""), "10 kbit/s: device-only " + plan.body());
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "/models/person/plan?link=carrier-pigeon"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("unknown link 'carrier-pigeon'"), bad.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/models/cat/profile")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            Model m = TestModels.person();
            byte[] input = Profiler.randomInputs(m, new Random(4))[0];
            SplitMessage req = request(m, ModelSplit.afterNodes(m, 10), input, 9);
            HttpResponse<byte[]> inf = http.send(HttpRequest.newBuilder(URI.create(base + "/models/person/infer"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(MessageCodec.encode(req)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, inf.statusCode());
            SplitMessage res = MessageCodec.decode(inf.body());
            assertArrayEquals(Interpreter.create(m).invoke(input)[0], res.tensors().get(0).data());
            HttpResponse<String> st = http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(st.body().contains("\"deviceId\":\"dev-1\"") && st.body().contains("\"requests\":1"), st.body());
        }
    }
}
