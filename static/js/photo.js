// Phone photos are 3-4 MB; on mobile data that is slow and costly. Before a form with photos
// is sent, each photo is shrunk in the browser (longest side 1600 px, JPEG) and the form is
// sent with a progress bar and a disabled button. The server checks everything as before;
// without JavaScript, or with a photo the browser cannot read (HEIC), the file goes as it is.
(function () {
  "use strict";
  var LONGEST = 1600;
  if (!window.FormData || !window.XMLHttpRequest || !document.createElement("canvas").toBlob) { return; }

  function shrink(file) {
    return new Promise(function (resolve) {
      if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type) || file.size < 400 * 1024) { resolve(file); return; }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, LONGEST / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          resolve(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", 0.85);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[enctype='multipart/form-data']"), function (form) {
    var inputs = form.querySelectorAll("input[type=file]");
    if (!inputs.length) { return; }
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) { event.preventDefault(); return; }
      var chosen = Array.prototype.some.call(inputs, function (i) { return i.files && i.files.length; });
      if (!chosen) { return; }  // nothing to shrink: the normal submit
      event.preventDefault();
      form.dataset.sending = "1";
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0; bar.className = "upload-progress";
      bar.setAttribute("aria-label", form.dataset.progressLabel || "Mengirim foto");
      form.appendChild(bar);
      var data = new FormData(form);
      var jobs = Array.prototype.map.call(inputs, function (input) {
        return shrink(input.files && input.files[0]).then(function (file) {
          if (file) { data.set(input.name, file, file.name); }
        });
      });
      Promise.all(jobs).then(function () {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.getAttribute("action") || window.location.href);
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); } };
        xhr.onload = function () {
          // Show the server's answer as a page (the one it redirected to, with its message,
          // or the form with its errors) under the address it came from.
          if (xhr.responseURL && xhr.responseURL !== window.location.href) {
            window.history.replaceState(null, "", xhr.responseURL);
          }
          document.open(); document.write(xhr.responseText); document.close();
        };
        xhr.onerror = function () {
          delete form.dataset.sending; bar.remove();
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        };
        xhr.send(data);
      });
    });
  });
})();
