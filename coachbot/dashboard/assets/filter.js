// Find a name among the members on this page, as you type. Sorting, the status filter and
// paging work without it (they are plain links and forms); this only saves a round trip.
(function () {
  var input = document.getElementById("name-filter");
  var rows = document.querySelectorAll("table.members tbody tr");
  if (!input || !rows.length) { return; }
  document.querySelectorAll(".name-filter").forEach(function (el) { el.hidden = false; });
  input.addEventListener("input", function () {
    var wanted = input.value.trim().toLowerCase();
    rows.forEach(function (row) {
      row.hidden = wanted !== "" && row.getAttribute("data-name").indexOf(wanted) === -1;
    });
  });
})();
