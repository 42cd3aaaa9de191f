// Tờ khai điện tử: "Thêm dòng" copies a group's blank row; without this script the page still
// works (the server always draws one spare row).
document.querySelectorAll(".eform-group").forEach(function (group) {
  var button = group.querySelector(".eform-add");
  var template = group.querySelector("template");
  var max = parseInt(group.dataset.max, 10);
  function count() { return group.querySelectorAll(".eform-row").length; }
  button.hidden = count() >= max;
  button.addEventListener("click", function () {
    var index = count();
    var row = document.createElement("fieldset");
    row.className = "eform-row";
    var legend = document.createElement("legend");
    legend.textContent = "Dòng " + (index + 1);
    row.appendChild(legend);
    row.appendChild(document.importNode(template.content, true));
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace("__row__", index)); }
      });
    });
    group.insertBefore(row, template);
    button.hidden = count() >= max;
    var first = row.querySelector("input, select");
    if (first) { first.focus(); }
  });
});
