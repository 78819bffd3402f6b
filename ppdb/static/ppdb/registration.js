// Optional helpers of the registration pages; every page works without them.
// Marks the page as scripted so the buttons below show, fills the home
// coordinates from the device's location, and prints the receipt.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  document.body.classList.add("has-js");

  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
          document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        },
        function () {
          window.alert(locate.getAttribute("data-error"));
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }

  var print = document.getElementById("print-receipt");
  if (print) {
    print.addEventListener("click", function () {
      window.print();
    });
  }
})();
