/*
 * Audio and video of a live class, peer to peer between the people present.
 *
 * Everybody who starts audio sends it to every other person present, over
 * one RTCPeerConnection per pair, and answers the others' offers. Video is
 * opt-in on top of audio. The signalling messages (rtc_offer, rtc_answer,
 * rtc_ice, rtc_hangup) travel over the classroom websocket that
 * classroom.js holds: this script follows its "live:message" events and
 * sends through "live:send". Both sides of a pair may offer at once, so the
 * pair follows the "perfect negotiation" pattern of the WebRTC
 * specification: the person with the higher id is polite and gives way.
 *
 * Above data-max-peers people a mesh costs too much upload, so the page
 * says that a media server is needed, and the server rejects offers with
 * media_server_needed. In low-data mode (data-low-data="1" on the page,
 * set by classroom-controls.js) the camera stays off and incoming video is
 * declined, so only audio flows. The protocol is in live/PROTOCOL.md.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-live-session]");
  var panel = document.querySelector("[data-media]");
  if (!root || !panel) {
    return;
  }
  var labels = panel.dataset;
  var statusBox = panel.querySelector("[data-media-status]");
  var capNotice = panel.querySelector("[data-media-cap]");
  var audioButton = panel.querySelector("[data-media-audio]");
  var videoButton = panel.querySelector("[data-media-video]");
  var stopButton = panel.querySelector("[data-media-stop]");
  var peerList = panel.querySelector("[data-media-peers]");
  var controls = panel.querySelector("[data-media-controls]");

  if (!window.RTCPeerConnection || !navigator.mediaDevices) {
    statusBox.textContent = labels.labelUnsupported;
    return;
  }
  controls.hidden = false;

  var maxPeers = parseInt(labels.maxPeers, 10);
  var iceServers = [];
  var iceConfig = document.getElementById("live-ice-servers");
  if (iceConfig) {
    iceServers = JSON.parse(iceConfig.textContent);
  }
  // Phones on weak connections: a small picture at a low frame rate.
  var VIDEO_CONSTRAINTS = { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { max: 15 } };
  var REOFFER_DELAY_MS = 1000;
  var SENT_REFS_KEPT = 200;

  var me = null;
  var present = [];
  var peers = {};
  var localStream = null;
  var videoTrack = null;
  var refCounter = 0;
  // The peer (user id) of each signalling message sent, by ref, so that an
  // error about the message can be traced back to its peer.
  var sentTo = {};

  function send(message) {
    var detail = { message: message, sent: false };
    root.dispatchEvent(new CustomEvent("live:send", { detail: detail }));
    return detail.sent;
  }

  function nextRef() {
    refCounter += 1;
    // An error replies within moments, so older refs are forgotten.
    delete sentTo["rtc" + (refCounter - SENT_REFS_KEPT)];
    return "rtc" + refCounter;
  }

  function others() {
    return present.filter(function (person) {
      return me !== null && person.id !== me.id;
    });
  }

  function tooMany() {
    return present.length > maxPeers;
  }

  function lowData() {
    return root.getAttribute("data-low-data") === "1";
  }

  // Answer with video turned off, so a low-data connection receives audio only.
  // NOTE: switching low-data mode on during a call takes effect at the next
  // negotiation, such as a hang-up and a new start.
  function declineVideo(pc) {
    pc.getTransceivers().forEach(function (transceiver) {
      var track = transceiver.receiver.track;
      if (track && track.kind === "video" && !transceiver.sender.track) {
        transceiver.direction = "inactive";
      }
    });
  }

  function showState() {
    var full = tooMany();
    capNotice.hidden = !full;
    if (full) {
      capNotice.textContent = labels.labelCap
        .replace("{limit}", String(maxPeers))
        .replace("{count}", String(present.length));
    }
    audioButton.disabled = full || localStream !== null;
    videoButton.disabled = full || localStream === null || lowData();
    videoButton.textContent = videoTrack ? labels.labelVideoOff : labels.labelVideoOn;
    stopButton.disabled = localStream === null;
    if (localStream === null) {
      statusBox.textContent = labels.labelOff;
    } else if (videoTrack) {
      statusBox.textContent = labels.labelVideoActive;
    } else {
      statusBox.textContent = labels.labelAudioActive;
    }
  }

  function personName(id) {
    var found = present.filter(function (person) {
      return person.id === id;
    })[0];
    return found ? found.name : String(id);
  }

  // The list item of a peer shows its name, its connection state and its
  // media elements.
  function peerItem(peer) {
    if (!peer.item) {
      peer.item = document.createElement("li");
      peer.label = document.createElement("span");
      peer.item.appendChild(peer.label);
      peerList.appendChild(peer.item);
    }
    var state = peer.pc.connectionState || peer.pc.iceConnectionState;
    var text = labels["labelState" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
    peer.label.textContent = personName(peer.id) + ": " + text;
    return peer.item;
  }

  function attachStream(peer, stream) {
    var hasVideo = stream.getVideoTracks().length > 0;
    var tag = hasVideo ? "video" : "audio";
    if (peer.media && peer.media.tagName.toLowerCase() !== tag) {
      peer.media.remove();
      peer.media = null;
    }
    if (!peer.media) {
      peer.media = document.createElement(tag);
      peer.media.autoplay = true;
      peer.media.setAttribute("playsinline", "");
      peerItem(peer).appendChild(peer.media);
    }
    peer.media.srcObject = stream;
    var playing = peer.media.play();
    if (playing && playing.catch) {
      // Browsers may refuse to play sound before the person touched the
      // page; a button then starts it.
      playing.catch(function () {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = labels.labelPlay;
        button.addEventListener("click", function () {
          peer.media.play();
          button.remove();
        });
        peerItem(peer).appendChild(button);
      });
    }
  }

  function addLocalTracks(peer) {
    if (!localStream) {
      return;
    }
    localStream.getTracks().forEach(function (track) {
      var sending = peer.pc.getSenders().some(function (sender) {
        return sender.track === track;
      });
      if (!sending) {
        peer.pc.addTrack(track, localStream);
      }
    });
  }

  function createPeer(id) {
    var pc = new RTCPeerConnection({ iceServers: iceServers });
    var peer = {
      id: id,
      pc: pc,
      peer: null,
      polite: me.id > id,
      makingOffer: false,
      ignoreOffer: false,
    };
    peers[id] = peer;
    pc.addEventListener("icecandidate", function (event) {
      var candidate = event.candidate;
      var message = {
        type: "rtc_ice",
        to: id,
        candidate: candidate ? candidate.candidate : "",
      };
      if (candidate && candidate.sdpMid !== null) {
        message.sdp_mid = candidate.sdpMid;
      }
      if (candidate && candidate.sdpMLineIndex !== null) {
        message.sdp_mline_index = candidate.sdpMLineIndex;
      }
      signal(peer, message);
    });
    pc.addEventListener("negotiationneeded", function () {
      peer.makingOffer = true;
      pc.setLocalDescription()
        .then(function () {
          signal(peer, { type: "rtc_offer", to: id, sdp: pc.localDescription.sdp });
        })
        .catch(function () {
          statusBox.textContent = labels.labelFailed;
        })
        .then(function () {
          peer.makingOffer = false;
        });
    });
    pc.addEventListener("track", function (event) {
      attachStream(peer, event.streams[0] || new MediaStream([event.track]));
    });
    pc.addEventListener("connectionstatechange", function () {
      peerItem(peer);
    });
    peerItem(peer);
    addLocalTracks(peer);
    return peer;
  }

  function signal(peer, message) {
    if (peer.peer) {
      message.peer = peer.peer;
    }
    message.ref = nextRef();
    sentTo[message.ref] = peer.id;
    send(message);
  }

  function closePeer(id) {
    var peer = peers[id];
    if (!peer) {
      return;
    }
    delete peers[id];
    peer.pc.close();
    if (peer.item) {
      peer.item.remove();
    }
  }

  function callEverybody() {
    if (!localStream || tooMany()) {
      return;
    }
    others().forEach(function (person) {
      var peer = peers[person.id] || createPeer(person.id);
      addLocalTracks(peer);
    });
  }

  function onOffer(message) {
    var peer = peers[message.from.id] || createPeer(message.from.id);
    peer.peer = message.peer;
    var pc = peer.pc;
    var collision = peer.makingOffer || pc.signalingState !== "stable";
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) {
      return;
    }
    pc.setRemoteDescription({ type: "offer", sdp: message.sdp })
      .then(function () {
        if (lowData()) {
          declineVideo(pc);
        }
        return pc.setLocalDescription();
      })
      .then(function () {
        signal(peer, { type: "rtc_answer", to: peer.id, sdp: pc.localDescription.sdp });
      })
      .catch(function () {
        statusBox.textContent = labels.labelFailed;
      });
  }

  function onAnswer(message) {
    var peer = peers[message.from.id];
    if (!peer) {
      return;
    }
    peer.peer = message.peer;
    peer.pc.setRemoteDescription({ type: "answer", sdp: message.sdp }).catch(function () {
      statusBox.textContent = labels.labelFailed;
    });
  }

  function onCandidate(message) {
    var peer = peers[message.from.id];
    if (!peer) {
      return;
    }
    var candidate = null;
    if (message.candidate) {
      candidate = {
        candidate: message.candidate,
        sdpMid: message.sdp_mid === undefined ? null : message.sdp_mid,
        sdpMLineIndex: message.sdp_mline_index === undefined ? null : message.sdp_mline_index,
      };
    }
    peer.pc.addIceCandidate(candidate).catch(function () {
      // A candidate of an offer this side ignored fails; that is expected.
      if (!peer.ignoreOffer) {
        statusBox.textContent = labels.labelFailed;
      }
    });
  }

  function onHangup(message) {
    var id = message.from.id;
    closePeer(id);
    if (localStream) {
      // The other side closed the pair; offer again so that it still hears
      // this side.
      window.setTimeout(callEverybody, REOFFER_DELAY_MS);
    }
  }

  function onPresence(participants) {
    present = participants;
    var ids = participants.map(function (person) {
      return person.id;
    });
    Object.keys(peers).forEach(function (id) {
      if (ids.indexOf(Number(id)) === -1) {
        closePeer(id);
      }
    });
    if (tooMany()) {
      stopMedia();
    }
    showState();
    callEverybody();
  }

  function stopMedia() {
    Object.keys(peers).forEach(function (id) {
      signal(peers[id], { type: "rtc_hangup", to: Number(id) });
      closePeer(id);
    });
    if (localStream) {
      localStream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    localStream = null;
    videoTrack = null;
    showState();
  }

  function startAudio() {
    audioButton.disabled = true;
    navigator.mediaDevices
      .getUserMedia({ audio: true, video: false })
      .then(function (stream) {
        localStream = stream;
        showState();
        callEverybody();
      })
      .catch(function () {
        statusBox.textContent = labels.labelDenied;
        audioButton.disabled = false;
      });
  }

  function toggleVideo() {
    if (videoTrack) {
      Object.keys(peers).forEach(function (id) {
        peers[id].pc.getSenders().forEach(function (sender) {
          if (sender.track === videoTrack) {
            peers[id].pc.removeTrack(sender);
          }
        });
      });
      localStream.removeTrack(videoTrack);
      videoTrack.stop();
      videoTrack = null;
      showState();
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: VIDEO_CONSTRAINTS, audio: false })
      .then(function (stream) {
        videoTrack = stream.getVideoTracks()[0];
        localStream.addTrack(videoTrack);
        Object.keys(peers).forEach(function (id) {
          addLocalTracks(peers[id]);
        });
        showState();
      })
      .catch(function () {
        statusBox.textContent = labels.labelDenied;
      });
  }

  audioButton.addEventListener("click", startAudio);
  videoButton.addEventListener("click", toggleVideo);
  stopButton.addEventListener("click", stopMedia);

  var handlers = {
    welcome: function (message) {
      me = message.you;
      onPresence(message.presence);
    },
    presence: function (message) {
      onPresence(message.participants);
    },
    rtc_offer: onOffer,
    rtc_answer: onAnswer,
    rtc_ice: onCandidate,
    rtc_hangup: onHangup,
    error: function (message) {
      if (!message.ref || message.ref.indexOf("rtc") !== 0) {
        return;
      }
      statusBox.textContent = message.message;
      var peer = peers[sentTo[message.ref]];
      if (peer && (message.code === "peer_gone" || message.code === "unknown_peer")) {
        // That connection of the person has gone, for example after their
        // reconnect; later messages go to their newest connection.
        peer.peer = null;
      }
    },
  };

  root.addEventListener("live:message", function (event) {
    var handler = handlers[event.detail.type];
    if (handler) {
      handler(event.detail);
    }
  });
  window.addEventListener("pagehide", stopMedia);
  showState();
})();
