// The discovery control: popular, balanced (the default) or lesser-known suggestions. The
// setting is the shelf's (saved with it, carried in its link: shelf-link.js); this module only
// shows it and reports the visitor's choice. The only DOM code of it.

/** `doc`: the page's document (index.html's #discovery radios); `onChoose(setting)`: the visitor chose. */
export function createDiscoveryControl(doc, onChoose) {
  const box = doc.getElementById("discovery");
  box.addEventListener("change", (event) => {
    if (event.target.name === "discovery" && event.target.checked) onChoose(event.target.value);
  });
  return {
    /** Show `setting` as chosen (the saved shelf's, a link's or another tab's). */
    show(setting) {
      for (const radio of box.querySelectorAll('input[name="discovery"]')) radio.checked = radio.value === setting;
    },
  };
}
