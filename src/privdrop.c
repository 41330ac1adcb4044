/* privdrop.c - switches to an unprivileged user once the capture and -w file are open (-Z). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "tcpnote/privdrop.h"

int privdrop_to(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		snprintf(err, errlen, "-Z %s: not running as root, nothing to give up", user);
		return 1;
	}
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "-Z %s: no such user%s%s", user, errno ? ": " : "",
			 errno ? strerror(errno) : "");
		return -1;
	}
	/* Groups first: after setuid() there is no permission left to change them. */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "-Z %s: cannot switch user: %s", user, strerror(errno));
		return -1;
	}
	/* It must not be possible to come back. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "-Z %s: root could be regained", user);
		return -1;
	}
	return 0;
}
