import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.SerializeType;

/**
 * Messages/s RocketMQ's own Java client gets into a topic: the approach of RocketMQ's benchmark
 * producer (which Maven Central does not serve), reduced to a fixed count. One DefaultMQProducer
 * (remoting, routed by the name server straight to the broker), `threads` threads each sending one
 * message at a time synchronously, so as many requests are in flight; every message a `size`-byte
 * body with its own key. `warmUp` messages go first, uncounted, as the relay's client is warm.
 * Run with the JDK's source launcher: java -cp 'ROCKETMQ_JARS/*' RocketMqProducerLimit.java
 *   NAMESRV TOPIC MESSAGES THREADS SIZE WARM_UP
 * Prints one line: "RESULT sent=N failed=F seconds=S rate=R"; exits 1 when a send failed.
 */
public final class RocketMqProducerLimit {
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println("usage: RocketMqProducerLimit NAMESRV TOPIC MESSAGES THREADS SIZE WARM_UP");
      System.exit(2);
    }
    String namesrv = args[0];
    String topic = args[1];
    long messages = Long.parseLong(args[2]);
    int threads = Integer.parseInt(args[3]);
    byte[] body = new byte[Integer.parseInt(args[4])];
    Arrays.fill(body, (byte) 7);
    long warmUp = Long.parseLong(args[5]);
    // The compact binary header encoding, as RocketMQ's benchmark producer chooses.
    System.setProperty(RemotingCommand.SERIALIZE_TYPE_PROPERTY, SerializeType.ROCKETMQ.name());

    DefaultMQProducer producer = new DefaultMQProducer("shardflow_limit_producer");
    producer.setNamesrvAddr(namesrv);
    producer.setInstanceName(Long.toString(System.nanoTime()));
    producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
    producer.start();
    try {
      LongAdder failed = new LongAdder();
      send(producer, topic, body, warmUp, threads, failed);
      long started = System.nanoTime();
      long sent = send(producer, topic, body, messages, threads, failed);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("RESULT sent=%d failed=%d seconds=%.3f rate=%.1f%n", sent, failed.sum(), seconds, sent / seconds);
      if (failed.sum() > 0) System.exit(1);
    } finally {
      producer.shutdown();
    }
  }

  /** Sends `count` messages on `threads` threads; returns how many the broker stored. */
  private static long send(DefaultMQProducer producer, String topic, byte[] body, long count, int threads, LongAdder failed) throws InterruptedException {
    AtomicLong next = new AtomicLong();
    LongAdder stored = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int thread = 0; thread < threads; thread++) {
      pool.execute(() -> {
        for (long index = next.getAndIncrement(); index < count; index = next.getAndIncrement()) {
          Message message = new Message(topic, body);
          message.setKeys("user-" + index);
          try {
            SendResult result = producer.send(message);
            if (result.getSendStatus() == SendStatus.SEND_OK) stored.increment();
            else failed.increment();
          } catch (Exception error) {
            failed.increment();
            System.err.println("send failed: " + error);
          }
        }
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.MINUTES)) throw new IllegalStateException("sends did not finish in 30 minutes");
    return stored.sum();
  }
}
