package io.clawhive.worker.instance;

import java.util.List;

/** An unprivileged system account that one instance's gateway runs as. */
public record SystemUser(String name, int uid, int gid) {

  /**
   * The command prefix that drops from root to this user before exec: new uid and gid, no
   * supplementary groups, and no way back up through setuid binaries.
   */
  public List<String> dropPrivilegesPrefix() {
    return List.of(
        "setpriv",
        "--reuid",
        Integer.toString(uid),
        "--regid",
        Integer.toString(gid),
        "--clear-groups",
        "--no-new-privs",
        "--");
  }
}
