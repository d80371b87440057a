// A scripted run of the official Java client (org.apache.zookeeper.ZooKeeper) against one server.
// It prints one fact per line as "name<TAB>value" and judges nothing itself: java-client.test.ts
// asserts on the facts, so the same expectations hold for ZooKeeper and Paddock.

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ClientCnxn;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

public final class CompatScenario {
  private static final int SESSION_TIMEOUT_MS = 30_000;
  private static final long WAIT_SECONDS = 30;

  private static String connectString;

  /** Every event one watcher sees, in arrival order. */
  private static final class Recorder implements Watcher {
    final BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void process(WatchedEvent event) {
      events.add(event);
    }

    /** Waits for the next event; a missing event prints "none" instead of hanging. */
    String next() throws InterruptedException {
      WatchedEvent event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      return event == null ? "none" : describe(event);
    }

    /** Events already delivered, without waiting. */
    String pending() {
      List<String> seen = new ArrayList<>();
      for (WatchedEvent event = events.poll(); event != null; event = events.poll()) seen.add(describe(event));
      return seen.isEmpty() ? "none" : String.join(",", seen);
    }

    /** Skips events until one with the given state arrives (or the bound passes). */
    String awaitState(Watcher.Event.KeeperState state) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (System.nanoTime() < deadline) {
        WatchedEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (event != null && event.getState() == state) return state.name();
      }
      return "timeout";
    }
  }

  private static String describe(WatchedEvent event) {
    return event.getType() + "@" + event.getPath();
  }

  private static void fact(String name, Object value) {
    System.out.println(name + "\t" + value);
  }

  private static void stat(String name, Stat s) {
    if (s == null) {
      fact(name, "null");
      return;
    }
    fact(
        name,
        "czxid=" + s.getCzxid() + " mzxid=" + s.getMzxid() + " pzxid=" + s.getPzxid() + " ctime="
            + s.getCtime() + " mtime=" + s.getMtime() + " version=" + s.getVersion() + " cversion="
            + s.getCversion() + " aversion=" + s.getAversion() + " ephemeralOwner=" + s.getEphemeralOwner()
            + " dataLength=" + s.getDataLength() + " numChildren=" + s.getNumChildren());
  }

  private interface Call {
    Object run() throws Exception;
  }

  /** Runs a call expected to fail and prints the KeeperException code name, or "ok". */
  private static void outcome(String name, Call call) throws Exception {
    try {
      call.run();
      fact(name, "ok");
    } catch (KeeperException e) {
      fact(name, e.code().name());
    }
  }

  private static ZooKeeper connect(String name, Recorder recorder) throws Exception {
    ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, recorder);
    fact(name + ".connect", recorder.awaitState(Watcher.Event.KeeperState.SyncConnected));
    return zk;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] data) {
    return data == null ? "<null>" : new String(data, StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    connectString = args[0];
    Recorder mainEvents = new Recorder();
    ZooKeeper zk = connect("main", mainEvents);
    fact("main.sessionId", zk.getSessionId());

    crud(zk);
    watches(zk);
    multi(zk);
    ephemeralCleanup(zk);
    sessionReconnect();

    zk.close();
    fact("done", "true");
  }

  private static void crud(ZooKeeper zk) throws Exception {
    var open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    fact("create.persistent", zk.create("/p", bytes("hello"), open, CreateMode.PERSISTENT));
    Stat created = new Stat();
    fact("get.data", text(zk.getData("/p", false, created)));
    stat("get.stat", created);

    fact("create.empty", zk.create("/p/empty", new byte[0], open, CreateMode.PERSISTENT));
    fact("get.empty", text(zk.getData("/p/empty", false, null)));
    stat("stat.empty", zk.exists("/p/empty", false));
    fact("create.null", zk.create("/p/null", null, open, CreateMode.PERSISTENT));
    fact("get.null", text(zk.getData("/p/null", false, null)));
    stat("stat.null", zk.exists("/p/null", false));

    fact("create.sequential.1", zk.create("/p/seq-", bytes("s"), open, CreateMode.PERSISTENT_SEQUENTIAL));
    fact("create.sequential.2", zk.create("/p/seq-", bytes("s"), open, CreateMode.PERSISTENT_SEQUENTIAL));
    fact("create.ephemeral", zk.create("/p/eph", bytes("e"), open, CreateMode.EPHEMERAL));
    stat("stat.ephemeral", zk.exists("/p/eph", false));
    fact("create.ephemeralSequential", zk.create("/p/eseq-", null, open, CreateMode.EPHEMERAL_SEQUENTIAL));
    stat("stat.parentAfterCreates", zk.exists("/p", false));

    outcome("create.existing", () -> zk.create("/p", null, open, CreateMode.PERSISTENT));
    outcome("create.noParent", () -> zk.create("/missing/child", null, open, CreateMode.PERSISTENT));
    outcome("create.childOfEphemeral", () -> zk.create("/p/eph/child", null, open, CreateMode.PERSISTENT));

    stat("set.v0", zk.setData("/p", bytes("world!"), 0));
    outcome("set.staleVersion", () -> zk.setData("/p", bytes("stale"), 0));
    stat("set.anyVersion", zk.setData("/p", bytes("again"), -1));
    outcome("set.missing", () -> zk.setData("/missing", bytes("x"), -1));
    fact("get.afterSet", text(zk.getData("/p", false, null)));

    outcome("delete.notEmpty", () -> {
      zk.delete("/p", -1);
      return null;
    });
    outcome("delete.missing", () -> {
      zk.delete("/missing", -1);
      return null;
    });
    outcome("delete.wrongVersion", () -> {
      zk.delete("/p/empty", 3);
      return null;
    });
    outcome("delete.rightVersion", () -> {
      zk.delete("/p/empty", 0);
      return null;
    });
    stat("stat.parentAfterDelete", zk.exists("/p", false));

    stat("exists.present", zk.exists("/p", false));
    stat("exists.absent", zk.exists("/missing", false));
    List<String> children = new ArrayList<>(zk.getChildren("/p", false));
    children.sort(null);
    fact("getChildren", String.join(",", children));
    Stat childrenStat = new Stat();
    List<String> children2 = zk.getChildren("/p", false, childrenStat);
    fact("getChildren2.count", children2.size());
    stat("getChildren2.stat", childrenStat);
    outcome("getChildren.missing", () -> zk.getChildren("/missing", false));
    fact("getChildren.root", String.join(",", zk.getChildren("/", false).stream().sorted().toList()));
  }

  private static void watches(ZooKeeper zk) throws Exception {
    var open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    zk.create("/w", bytes("0"), open, CreateMode.PERSISTENT);

    Recorder data = new Recorder();
    zk.getData("/w", data, null);
    zk.setData("/w", bytes("1"), -1);
    fact("watch.data.first", data.next());
    zk.setData("/w", bytes("2"), -1);
    // The reply to this read comes after any event for the earlier write, so "none" is certain.
    zk.getData("/w", false, null);
    fact("watch.data.oneTime", data.pending());

    Recorder created = new Recorder();
    fact("watch.exists.absent", zk.exists("/w/new", created) == null);
    zk.create("/w/new", null, open, CreateMode.PERSISTENT);
    fact("watch.exists.created", created.next());

    Recorder children = new Recorder();
    zk.getChildren("/w", children);
    zk.create("/w/second", null, open, CreateMode.PERSISTENT);
    fact("watch.children.first", children.next());
    zk.create("/w/third", null, open, CreateMode.PERSISTENT);
    zk.exists("/w", false);
    fact("watch.children.oneTime", children.pending());

    Recorder deletedViaExists = new Recorder();
    Recorder deletedViaData = new Recorder();
    Recorder parentChildren = new Recorder();
    zk.exists("/w/new", deletedViaExists);
    zk.getData("/w/second", deletedViaData, null);
    zk.getChildren("/w", parentChildren);
    zk.delete("/w/new", -1);
    zk.delete("/w/second", -1);
    fact("watch.exists.deleted", deletedViaExists.next());
    fact("watch.data.deleted", deletedViaData.next());
    fact("watch.children.onChildDelete", parentChildren.next());

    Recorder nodeItself = new Recorder();
    zk.delete("/w/third", -1);
    zk.getChildren("/w", nodeItself);
    zk.delete("/w", -1);
    fact("watch.children.onOwnDelete", nodeItself.next());
  }

  private static void multi(ZooKeeper zk) throws Exception {
    var open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    List<OpResult> results =
        zk.multi(
            Arrays.asList(
                Op.create("/m", bytes("a"), open, CreateMode.PERSISTENT),
                Op.create("/m/child", null, open, CreateMode.PERSISTENT),
                Op.setData("/m", bytes("b"), 0),
                Op.check("/m", 1)));
    List<String> kinds = new ArrayList<>();
    for (OpResult result : results) kinds.add(result.getClass().getSimpleName());
    fact("multi.ok.results", String.join(",", kinds));
    fact("multi.ok.data", text(zk.getData("/m", false, null)));

    try {
      zk.multi(
          Arrays.asList(
              Op.create("/m/notApplied", null, open, CreateMode.PERSISTENT),
              Op.check("/m", 7),
              Op.delete("/m/child", -1)));
      fact("multi.fail", "ok");
    } catch (KeeperException e) {
      fact("multi.fail", e.code().name());
      List<String> errs = new ArrayList<>();
      for (OpResult result : e.getResults()) errs.add(String.valueOf(((OpResult.ErrorResult) result).getErr()));
      fact("multi.fail.results", String.join(",", errs));
    }
    stat("multi.fail.notApplied", zk.exists("/m/notApplied", false));
    stat("multi.fail.childKept", zk.exists("/m/child", false));
  }

  private static void ephemeralCleanup(ZooKeeper observer) throws Exception {
    Recorder ownerEvents = new Recorder();
    ZooKeeper owner = connect("owner", ownerEvents);
    owner.create("/p/owned", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    Recorder gone = new Recorder();
    Stat seen = observer.exists("/p/owned", gone);
    fact("ephemeral.ownerMatches", seen != null && seen.getEphemeralOwner() == owner.getSessionId());
    owner.close();
    fact("ephemeral.afterClose.event", gone.next());
    stat("ephemeral.afterClose.exists", observer.exists("/p/owned", false));
  }

  /** Drops a client's TCP connection without closing its session, as if its process had died. */
  private static void dropConnection(ZooKeeper zk) throws Exception {
    Field field = ZooKeeper.class.getDeclaredField("cnxn");
    field.setAccessible(true);
    ((ClientCnxn) field.get(zk)).disconnect();
  }

  private static void sessionReconnect() throws Exception {
    Recorder firstEvents = new Recorder();
    ZooKeeper first = connect("first", firstEvents);
    long sessionId = first.getSessionId();
    byte[] password = first.getSessionPasswd();
    first.create("/p/survivor", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    dropConnection(first);

    byte[] wrong = password.clone();
    wrong[0] ^= 0x5a;
    Recorder intruderEvents = new Recorder();
    ZooKeeper intruder = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, intruderEvents, sessionId, wrong);
    fact("reconnect.wrongPassword", intruderEvents.awaitState(Watcher.Event.KeeperState.Expired));
    intruder.close();

    Recorder againEvents = new Recorder();
    ZooKeeper again = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, againEvents, sessionId, password);
    fact("reconnect.connect", againEvents.awaitState(Watcher.Event.KeeperState.SyncConnected));
    fact("reconnect.sameSession", again.getSessionId() == sessionId);
    Stat survivor = again.exists("/p/survivor", false);
    fact("reconnect.ephemeralKept", survivor != null && survivor.getEphemeralOwner() == sessionId);
    again.close();

    Recorder afterEvents = new Recorder();
    ZooKeeper after = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, afterEvents, sessionId, password);
    fact("reconnect.afterClose", afterEvents.awaitState(Watcher.Event.KeeperState.Expired));
    after.close();
  }
}
