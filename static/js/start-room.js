// "Start a room" on the drawing page and in presentation mode: opens a room, opens its wall in a new tab, and
// leaves the presenter a link to the wall and a button that closes the room.

import { ApiError, closeRoom, rememberAdminToken, startRoom } from "./api.js";

const button = document.getElementById("start-room");
const started = document.getElementById("room-started");

/** The wall's path on this server: the presenter stays on the address they use (and on which they are local). */
function wallPath(room) {
  return `/room/${encodeURIComponent(room)}/present`;
}

async function openRoom() {
  try {
    return await startRoom();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    const token = window.prompt("Starting a room from another computer needs the admin token:");
    if (!token) return null;
    rememberAdminToken(token);
    return startRoom();
  }
}

function showOpen(room) {
  const link = document.createElement("a");
  link.href = wallPath(room);
  link.target = "_blank";
  link.textContent = "Open its wall";
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = `Close room ${room}`;
  close.addEventListener("click", async () => {
    try {
      await closeRoom(room);
      started.textContent = `Room ${room} is closed.`;
      button.disabled = false;
    } catch (error) {
      started.append(` Could not close it: ${error.message}`);
    }
  });
  started.replaceChildren(`Room ${room} is open. `, link, " ", close);
  started.hidden = false;
}

export function setUpRoomStarting() {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await openRoom();
      if (answer === null) {
        button.disabled = false;
        return;
      }
      showOpen(answer.room);
      window.open(wallPath(answer.room), "_blank");
    } catch (error) {
      started.textContent = `Could not start a room: ${error.message}`;
      started.hidden = false;
      button.disabled = false;
    }
  });
}
