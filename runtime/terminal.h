// Interactive agents: when the supervisor's stdin and stdout are a terminal, the sandbox gets
// a pty of its own. The supervisor relays bytes, passes window size changes through, and puts
// the terminal back as it found it, whatever happens.
#pragma once
#include <string>

namespace shellrt {

class Terminal {
public:
  // Opens a pty when stdin and stdout are terminals; otherwise does nothing (streams pass
  // straight through).
  bool open();
  bool active() const { return master_ >= 0; }
  int slave() const { return slave_; }
  const std::string &slavePath() const { return slavePath_; }

  // In the child: make the pty its controlling terminal and its stdin, stdout and stderr.
  bool attachInChild();
  // In the supervisor after the child exists: raw mode, relay until the sandbox closes the
  // pty or the outer terminal goes away, restore. True when the terminal went away (a
  // hangup: the window closed, the tmux session killed): the session should end.
  bool relay();
  void resize();  // SIGWINCH: copy the outer window size
  void restore();

private:
  int master_ = -1;
  int slave_ = -1;
  std::string slavePath_;
  bool saved_ = false;
};

}  // namespace shellrt
